package org.beamarchiver.ledger;

import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.sql.Database;
import org.beamarchiver.sql.Sql;
import org.beamarchiver.sql.Sql.Columns;

/**
 * The recycle bin of files tables ({@code archival_recycle}): per archived partition (one file
 * list), the folder its source files were copied to before the verified delete removed them, when
 * that was, and when {@code purge} emptied the folder.
 */
public final class Recycles {
  private final Database db;

  public Recycles(Database db) {
    this.db = db;
  }

  /** A recycle folder as recorded. */
  public record Recycled(
      String recycleUrl, String uuid, String batchId, String period, String blobUrl, Instant recycledAt,
      String runId, Instant purgedAt, String purgeRunId) {}

  /**
   * Write-ahead of a delete that recycles: recorded before the first file is copied into {@code
   * folder}, so that a run that dies half way leaves a folder the ledger knows (purge empties it,
   * restore reads from it). A later delete into the same folder moves its time forward (purge counts
   * from the last files put in) and takes it out of the purged ones.
   */
  public void recycling(String type, ArchivedPartition p, String folder, String runId) throws SQLException {
    db.transaction(
        "record the recycle folder of " + p.partition(),
        c -> {
          Sql.of("DELETE FROM archival_recycle WHERE recycle_url = ?", folder).update(c);
          Sql.insert(
                  "archival_recycle",
                  new Columns()
                      .set("recycle_url", folder)
                      .set("uuid", p.uuid())
                      .set("type", type)
                      .set("batchid", p.partition().batchId())
                      .set("period", p.partition().period())
                      .set("blob_url", p.blobUrl())
                      .set("recycled_at", Instant.now())
                      .set("recycle_run_id", runId))
              .update(c);
          return null;
        });
  }

  /** The type's recycle folders not purged yet whose last files went in before {@code before}, oldest first. */
  public List<Recycled> toPurge(String type, Instant before) throws SQLException {
    return select("WHERE type = ? AND purged_at IS NULL AND recycled_at < ? ORDER BY recycled_at, recycle_url", type, before);
  }

  /** The type's recycle folders not purged yet, by the file list (archive object) whose files they hold. */
  public Map<String, String> unpurgedFolders(String type) throws SQLException {
    Map<String, String> byList = new HashMap<>();
    for (Recycled r : select("WHERE type = ? AND purged_at IS NULL", type)) {
      byList.put(r.blobUrl(), r.recycleUrl());
    }
    return byList;
  }

  /** Records that {@code purge} emptied the folder (safe to repeat). */
  public void purged(String folder, String runId) throws SQLException {
    db.call(
        "record the purge of " + folder,
        c -> Sql.of("UPDATE archival_recycle SET purged_at = ?, purge_run_id = ? WHERE recycle_url = ?", Instant.now(), runId, folder)
            .update(c));
  }

  private List<Recycled> select(String where, Object... args) throws SQLException {
    Sql query =
        Sql.of(
            "SELECT recycle_url, uuid, batchid, period, blob_url, recycled_at, recycle_run_id, purged_at, purge_run_id"
                + " FROM archival_recycle " + where,
            args);
    return db.call(
        "read the recycle bin",
        c -> query.list(
            c,
            rs -> new Recycled(
                rs.getString("recycle_url"),
                rs.getString("uuid"),
                rs.getString("batchid"),
                rs.getString("period"),
                rs.getString("blob_url"),
                Sql.instant(rs, "recycled_at"),
                rs.getString("recycle_run_id"),
                Sql.instant(rs, "purged_at"),
                rs.getString("purge_run_id"))));
  }
}
