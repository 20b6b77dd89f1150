package org.beamarchiver.ledger;

import java.time.Instant;

/** One row of {@code archival_metadata}, as read back. */
public record LedgerRow(
    String uuid,
    String type,
    String batchId,
    String collectionId,
    String period,
    Instant archivalDate,
    Instant completionDate,
    String archivalStatus,
    String deletionStatus,
    int iteration,
    String requestData,
    String blobUrl,
    String errMessage,
    Long rowCount,
    Long byteSize,
    String checksumSha256,
    Instant minTime,
    Instant maxTime,
    String runId,
    Instant deletionDate,
    Long deletedRows,
    Long skippedChangedRows,
    Long absentRows,
    String deletionRunId,
    String pendingBlobUrl,
    String pendingRunId,
    String rollupStats,
    String manifestUrl,
    Instant verifiedAt,
    String verifyResult) {

  /** The archived partition this row describes, with what its file must hold (-1 where unknown). */
  public org.beamarchiver.model.ArchivedPartition archivedPartition() {
    return new org.beamarchiver.model.ArchivedPartition(
        uuid,
        org.beamarchiver.model.PartitionKey.of(batchId, org.beamarchiver.model.IsoWeek.parse(period)),
        blobUrl,
        rowCount == null ? -1 : rowCount,
        byteSize == null ? -1 : byteSize,
        checksumSha256);
  }
}
