package org.beamarchiver.ledger;

/**
 * The states an archive or delete job moves through, each transition recorded in the ledger:
 *
 * <pre>
 * UNINITIALIZED → QUEUED → PROCESSING → (ARCHIVING | DELETING | RESTORING | PURGING) → POST_PROCESSING → STORING → CLEANUP
 *   → COMPLETED | COMPLETED_WITH_FAILURES
 * on an error:  ERROR → RECOVERABLE_ERROR → (back to PROCESSING, with backoff, a bounded number of times)
 *               ERROR → FAILURE → ERROR_HANDLING → CLEANUP → FAILED
 * </pre>
 *
 * A job whose process died keeps a non-terminal state; the next job on the table marks it
 * ABANDONED and cleans up after it. A job that could not take the table's lease ends BUSY.
 */
public enum JobState {
  UNINITIALIZED,
  QUEUED,
  PROCESSING,
  ARCHIVING,
  DELETING,
  RESTORING,
  PURGING,
  POST_PROCESSING,
  STORING,
  CLEANUP,
  COMPLETED,
  COMPLETED_WITH_FAILURES,
  ERROR,
  RECOVERABLE_ERROR,
  FAILURE,
  ERROR_HANDLING,
  FAILED,
  BUSY,
  ABANDONED;

  public boolean terminal() {
    return this == COMPLETED
        || this == COMPLETED_WITH_FAILURES
        || this == FAILED
        || this == BUSY
        || this == ABANDONED;
  }
}
