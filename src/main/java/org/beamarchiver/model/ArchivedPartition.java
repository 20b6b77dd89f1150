package org.beamarchiver.model;

import java.io.Serializable;

/**
 * A partition the ledger says is archived, with what its file must hold: what the verified delete
 * (and later restore) checks the object against before trusting it.
 */
public record ArchivedPartition(
    String uuid,
    PartitionKey partition,
    String blobUrl,
    long rowCount,
    long byteSize,
    String sha256)
    implements Serializable {}
