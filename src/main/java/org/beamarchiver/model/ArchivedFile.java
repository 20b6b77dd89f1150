package org.beamarchiver.model;

import java.io.Serializable;

/**
 * What the archive wrote for one partition: the descriptor the ledger records.
 *
 * @param partition the (batch, ISO week)
 * @param collectionIds the distinct collection values of the partition's rows, comma-joined
 * @param blobUrl the final object's URI
 * @param rowCount rows in the file
 * @param byteSize bytes of the file
 * @param sha256 lower-case hex SHA-256 of the file's bytes
 * @param minTimeMillis smallest time-column value
 * @param maxTimeMillis largest time-column value
 * @param error null on success, else why the partition failed
 * @param rollupJson the partition's {@link RollupStats} as JSON, or null when none are kept
 * @param familyFiles the archives of the partition's related tables ({@link FamilyFile#toJson}),
 *     or null for a table archived alone
 */
public record ArchivedFile(
    PartitionKey partition,
    String collectionIds,
    String blobUrl,
    long rowCount,
    long byteSize,
    String sha256,
    long minTimeMillis,
    long maxTimeMillis,
    String error,
    String rollupJson,
    String familyFiles)
    implements Serializable {

  public ArchivedFile(
      PartitionKey partition, String collectionIds, String blobUrl, long rowCount, long byteSize, String sha256,
      long minTimeMillis, long maxTimeMillis, String error, String rollupJson) {
    this(partition, collectionIds, blobUrl, rowCount, byteSize, sha256, minTimeMillis, maxTimeMillis, error, rollupJson,
        null);
  }

  /** The same file with its related tables' archives. */
  public ArchivedFile withFamilyFiles(String json) {
    return new ArchivedFile(
        partition, collectionIds, blobUrl, rowCount, byteSize, sha256, minTimeMillis, maxTimeMillis, error, rollupJson, json);
  }

  /** The related tables' archives; empty for a table archived alone. */
  public java.util.List<FamilyFile> family() {
    return FamilyFile.parse(familyFiles);
  }

  public boolean succeeded() {
    return error == null;
  }

  public static ArchivedFile failed(PartitionKey partition, String error) {
    return new ArchivedFile(partition, null, null, 0, 0, null, 0, 0, error, null);
  }
}
