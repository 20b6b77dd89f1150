package org.beamarchiver.ledger;

import java.sql.SQLException;
import java.util.List;
import org.beamarchiver.sql.Database;
import org.beamarchiver.sql.Sql;
import org.beamarchiver.sql.Sql.Columns;

/** Every restore of an archived partition ({@code archival_restore}). */
public final class Restores {
  private final Database db;

  public Restores(Database db) {
    this.db = db;
  }

  /**
   * Records (or, on a bundle retry, rewrites) what a restore run did to one partition.
   *
   * @param what what is recorded, for the log and the error when an outage outlasts the budget
   */
  public void record(String what, String type, Restore r) throws SQLException {
    db.transaction(
        what,
        c -> {
          Sql.of("DELETE FROM archival_restore WHERE restore_run_id = ? AND uuid = ?", r.runId(), r.uuid()).update(c);
          Sql.insert(
                  "archival_restore",
                  new Columns()
                      .set("restore_run_id", r.runId())
                      .set("uuid", r.uuid())
                      .set("type", type)
                      .set("batchid", r.batchId())
                      .set("period", r.period())
                      .set("blob_url", r.blobUrl())
                      .set("target_table", r.target())
                      .set("restored_at", r.restoredAt())
                      .set("rows_written", r.rows())
                      .set("status", r.status())
                      .set("err_message", r.error()))
              .update(c);
          return null;
        });
  }

  /** Restores of a type, newest first. */
  public List<Restore> ofType(String type) throws SQLException {
    Sql query =
        Sql.of(
            "SELECT restore_run_id, uuid, batchid, period, blob_url, target_table, restored_at, rows_written,"
                + " status, err_message FROM archival_restore WHERE type = ?"
                + " ORDER BY restored_at DESC, batchid, period",
            type);
    return db.call(
        "read restores",
        c -> query.list(
            c,
            rs -> new Restore(
                rs.getString("restore_run_id"),
                rs.getString("uuid"),
                rs.getString("batchid"),
                rs.getString("period"),
                rs.getString("blob_url"),
                rs.getString("target_table"),
                Sql.instant(rs, "restored_at"),
                rs.getLong("rows_written"),
                RestoreStatus.valueOf(rs.getString("status")),
                rs.getString("err_message"))));
  }
}
