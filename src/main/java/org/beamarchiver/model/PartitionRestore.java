package org.beamarchiver.model;

import java.io.Serializable;

/**
 * What a restore did to one archived partition.
 *
 * @param partition the archived partition
 * @param rowsWritten rows written back to the target
 * @param rowsPresent rows the target already held exactly as archived (left alone)
 * @param rowsKeptNewer rows written in the target after the archive (kept as they are)
 * @param rowsFailed rows whose write failed
 * @param error null on success, else why the partition was not (fully) restored
 */
public record PartitionRestore(
    ArchivedPartition partition, long rowsWritten, long rowsPresent, long rowsKeptNewer, long rowsFailed, String error)
    implements Serializable {
  public boolean succeeded() {
    return error == null && rowsFailed == 0;
  }
}
