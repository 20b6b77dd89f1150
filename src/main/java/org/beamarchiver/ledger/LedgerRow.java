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
    String verifyResult) {}
