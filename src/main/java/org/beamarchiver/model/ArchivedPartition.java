package org.beamarchiver.model;

import java.io.Serializable;

/**
 * A partition the ledger says is archived, with what its file must hold: what the verified delete
 * (and later restore) checks the object against before trusting it; {@code familyFiles} the
 * archives of its related tables ({@link FamilyFile#toJson}), null for a table archived alone.
 */
public record ArchivedPartition(
    String uuid,
    PartitionKey partition,
    String blobUrl,
    long rowCount,
    long byteSize,
    String sha256,
    String familyFiles)
    implements Serializable {

  public ArchivedPartition(
      String uuid, PartitionKey partition, String blobUrl, long rowCount, long byteSize, String sha256) {
    this(uuid, partition, blobUrl, rowCount, byteSize, sha256, null);
  }

  /** The archives of its related tables; empty for a table archived alone. */
  public java.util.List<FamilyFile> family() {
    return FamilyFile.parse(familyFiles);
  }
}
