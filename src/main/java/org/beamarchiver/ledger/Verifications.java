package org.beamarchiver.ledger;

import java.sql.SQLException;
import java.time.Instant;
import org.beamarchiver.sql.Database;
import org.beamarchiver.sql.Sql;

/** The latest verification of each archived file ({@code verified_at}, {@code verify_result}). */
public final class Verifications {
  /** The longest {@code verify_result} kept; longer results are cut. */
  static final int MAX_RESULT = 4000;

  private final Database db;

  public Verifications(Database db) {
    this.db = db;
  }

  /**
   * Records the latest verification of a row's file ({@code verify}, and refusals of delete).
   *
   * @param result the verdict as text: its status ({@code OK}, {@code MISSING}, ...), then
   *     {@code ": "} and the detail, if any
   */
  public void record(String uuid, String result) throws SQLException {
    String kept = result.length() > MAX_RESULT ? result.substring(0, MAX_RESULT) : result;
    db.call(
        "record the verification of " + uuid,
        c -> Sql.of("UPDATE archival_metadata SET verified_at = ?, verify_result = ? WHERE uuid = ?", Instant.now(), kept, uuid)
            .update(c));
  }
}
