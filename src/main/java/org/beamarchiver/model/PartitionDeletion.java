package org.beamarchiver.model;

import java.io.Serializable;

/** What the verified delete did to one archived partition. */
public record PartitionDeletion(ArchivedPartition partition, DeleteTally tally)
    implements Serializable {

  /** SUCCESS only when the archive verified and every row was deleted or knowingly skipped. */
  public boolean succeeded() {
    return tally.verificationError() == null
        && tally.get(DeleteOutcome.FAILED) == 0
        && tally.total() == partition.rowCount();
  }

  /** Why the partition is not SUCCESS, or null. */
  public String error() {
    if (tally.verificationError() != null) {
      return "archive failed verification, nothing deleted: " + tally.verificationError();
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
