package org.beamarchiver.ledger;

import java.time.Instant;

/** One restore of a partition, as {@code archival_restore} keeps it. */
public record Restore(
    String runId,
    String uuid,
    String batchId,
    String period,
    String blobUrl,
    String target,
    Instant restoredAt,
    long rows,
    RestoreStatus status,
    String error) {}
