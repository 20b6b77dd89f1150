package org.beamarchiver.model;

import java.io.Serializable;

/**
 * What a restore did to one archived partition.
 *
 * @param partition the archived partition
 * @param rowsWritten rows written back to the target
 * @param rowsFailed rows whose write failed
 * @param error null on success, else why the partition was not (fully) restored
 */
public record PartitionRestore(ArchivedPartition partition, long rowsWritten, long rowsFailed, String error)
    implements Serializable {
  public boolean succeeded() {
    return error == null && rowsFailed == 0;
  }
}
