package org.beamarchiver.cli;

/** Exit codes scripts can rely on. */
public enum ExitCode {
  /** Done: every partition the run touched succeeded, or there was nothing to do. */
  OK(0),
  /** The run failed: a server could not be reached, the pipeline failed, or a check refused it. */
  FAILURE(1),
  /** Bad usage: unknown command or option, or an invalid option value. Nothing was changed. */
  USAGE(2),
  /** The run completed but some partitions FAILED (see the summary and the ledger). */
  PARTIAL(3),
  /** Another run holds the table's lease (named in the message). Nothing was changed. */
  BUSY(4),
  /** The request is unsafe in the ledger's present state (e.g. --forceArchival on deleted rows). Nothing was changed. */
  REFUSED(5),
  /** {@code verify} found a file that is missing, changed, unsigned, badly signed or orphaned. */
  INTEGRITY(6);

  public final int code;

  ExitCode(int code) {
    this.code = code;
  }
}
