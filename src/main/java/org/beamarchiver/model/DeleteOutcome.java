package org.beamarchiver.model;

/** What the verified delete did with one archived row. */
public enum DeleteOutcome {
  /** Unchanged since archived: deleted. */
  DELETED,
  /** Changed since archived (values or write times), before or during the delete: kept whole. */
  SKIPPED_CHANGED,
  /** No longer in the table (deleted earlier, e.g. by a previous run): nothing to do. */
  ABSENT,
  /** The archive holds no write time for the row, so it cannot be deleted safely: kept. */
  SKIPPED_NO_WRITE_TIME,
  /** Dry run: would be deleted. */
  WOULD_DELETE,
  /** The delete failed (timeout, unavailable...): the partition is FAILED and a rerun retries. */
  FAILED,
  /**
   * The row's DELETE was sent but never confirmed (the re-check failed): its tombstone may have
   * landed. The partition stays PENDING, and the next run checks the row again in repair mode.
   */
  IN_DOUBT
}
