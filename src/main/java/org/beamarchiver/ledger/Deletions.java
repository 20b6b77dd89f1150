package org.beamarchiver.ledger;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.sql.Database;
import org.beamarchiver.sql.Sql;

/** What the verified delete did to each archived partition: the deletion columns of {@code archival_metadata}. */
public final class Deletions {
  private final Database db;
  private final Archives archives;

  public Deletions(Database db) {
    this.db = db;
    this.archives = new Archives(db);
  }

  /**
   * Partitions of the request that are archived (SUCCESS) and not yet deleted (deletion status
   * absent or not SUCCESS): what the verified delete works on.
   */
  public List<ArchivedPartition> partitionsToDelete(String type, ArchiveRequest request) throws SQLException {
    List<ArchivedPartition> out = new ArrayList<>();
    for (LedgerRow r : archives.rowsOfRequest(type, request)) {
      if (r.archived() && !r.deleted()) {
        out.add(r.archivedPartition());
      }
    }
    return out;
  }

  /**
   * Write-ahead of the verified delete, before its first row is deleted: the partition's deletion
   * is PENDING under this run, so that if the run dies (or gives up) with deletes sent but not
   * confirmed, the next run knows to check its rows in repair mode. Returns the deletion status the
   * partition had (PENDING: an earlier delete was interrupted; null: none). Safe to repeat.
   */
  public DeletionStatus markPending(ArchivedPartition p, String runId) throws SQLException {
    return db.transaction(
        "record the start of the delete of " + p.partition(),
        c -> {
          String previous =
              Sql.of("SELECT deletion_status FROM archival_metadata WHERE uuid = ? FOR UPDATE", p.uuid())
                  .first(c, rs -> rs.getString("deletion_status"));
          Sql.of(
                  "UPDATE archival_metadata SET deletion_status = ?, deletion_run_id = ?"
                      + " WHERE uuid = ? AND archival_status = ? AND (deletion_status IS NULL OR deletion_status <> ?)",
                  DeletionStatus.PENDING, runId, p.uuid(), ArchiveStatus.SUCCESS, DeletionStatus.SUCCESS)
              .update(c);
          return previous == null ? null : DeletionStatus.valueOf(previous);
        });
  }

  /**
   * Records what the verified delete did to one partition. Only touches a row whose archive is
   * SUCCESS; rewriting the same values is harmless, so bundle retries are safe.
   *
   * @param what what is recorded, for the log and the error when an outage outlasts the budget
   */
  public void record(String what, Deletion d) throws SQLException {
    db.call(
        what,
        c -> Sql.of(
                "UPDATE archival_metadata SET deletion_status = ?, deletion_date = ?, deleted_rows = ?,"
                    + " skipped_changed_rows = ?, absent_rows = ?, deletion_run_id = ?, err_message = ?"
                    + " WHERE uuid = ? AND archival_status = ?",
                d.status(), Instant.now(), d.deleted(), d.skippedChanged(), d.absent(), d.runId(),
                d.error() == null ? null : "delete: " + d.error(), d.uuid(), ArchiveStatus.SUCCESS)
            .update(c));
  }
}
