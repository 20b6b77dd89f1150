package org.beamarchiver.ledger;

/**
 * What the verified delete did to one partition, as {@link Deletions#record} writes it.
 *
 * @param uuid the partition's ledger row
 * @param skippedChanged rows left because they changed since the archive (or had no write time)
 * @param error why the partition is not SUCCESS, or null
 * @param runId the delete run
 */
public record Deletion(
    String uuid, DeletionStatus status, long deleted, long skippedChanged, long absent, String error, String runId) {

  /** A partition the run refused to delete: FAILED, nothing deleted. */
  public static Deletion refused(String uuid, String why, String runId) {
    return new Deletion(uuid, DeletionStatus.FAILED, 0, 0, 0, why, runId);
  }
}
