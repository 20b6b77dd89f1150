package org.beamarchiver.model;

import java.io.Serializable;

/** What the verified delete did to one archived partition. */
public record PartitionDeletion(ArchivedPartition partition, DeleteTally tally)
    implements Serializable {

  /** The ledger's deletion status for the partition after this run. */
  public static final String SUCCESS = "SUCCESS";
  public static final String FAILED = "FAILED";
  /** Rows in doubt: the next run re-checks them in repair mode (see {@link DeleteOutcome#IN_DOUBT}). */
  public static final String PENDING = "PENDING";

  /** SUCCESS only when the archive verified and every row was deleted or knowingly skipped. */
  public boolean succeeded() {
    return tally.verificationError() == null
        && tally.get(DeleteOutcome.FAILED) == 0
        && tally.get(DeleteOutcome.IN_DOUBT) == 0
        && tally.total() == partition.rowCount();
  }

  /** SUCCESS, PENDING (rows in doubt) or FAILED. */
  public String status() {
    return succeeded() ? SUCCESS : tally.get(DeleteOutcome.IN_DOUBT) > 0 ? PENDING : FAILED;
  }

  /** Why the partition is not SUCCESS, or null. */
  public String error() {
    if (tally.verificationError() != null) {
      return "archive failed verification, nothing deleted: " + tally.verificationError();
    }
    long inDoubt = tally.get(DeleteOutcome.IN_DOUBT);
    if (inDoubt > 0) {
      return inDoubt + " row(s) in doubt, their delete sent but not confirmed (rerun: it checks and"
          + " repairs them)" + (tally.firstError() == null ? "" : ": " + tally.firstError());
    }
    long failed = tally.get(DeleteOutcome.FAILED);
    if (failed > 0) {
      return failed + " row(s) could not be processed (rerun to finish): " + tally.firstError();
    }
    if (tally.total() != partition.rowCount()) {
      return "processed " + tally.total() + " of " + partition.rowCount() + " rows";
    }
    return null;
  }
}
