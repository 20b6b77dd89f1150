package org.beamarchiver.support;

import java.time.Instant;
import org.beamarchiver.ledger.ArchiveStatus;
import org.beamarchiver.ledger.DeletionStatus;
import org.beamarchiver.ledger.LedgerRow;

/** Ledger rows as a test needs them: a partition's states, rows, verdict and error, the rest plain. */
public final class LedgerRows {
  public static final Instant AT = Instant.parse("2026-12-04T10:00:00Z");

  private LedgerRows() {}

  public static LedgerRow row(String batch, String week, ArchiveStatus a, DeletionStatus d, String verify, Long rows, String error) {
    return new LedgerRow(
        "u-" + batch + week, "t", batch, "c", week, AT, AT, a, d, 1, "{}", "file:/x", error, rows, 10L, "00",
        AT, AT, "run-1", null, d == DeletionStatus.SUCCESS ? rows : null, 0L, 0L, null, null, null, null,
        "file:/m", verify == null ? null : AT, verify, null);
  }
}
