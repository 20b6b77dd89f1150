package org.beamarchiver.io.source;

import org.beamarchiver.model.DeleteOutcome;
import org.beamarchiver.retry.Recoverable;

/**
 * What the guard did with one row; {@code recoverable} when it FAILED on a timeout or overload,
 * {@code sent} when it failed after its delete was sent (so it is in doubt: retry it in repair
 * mode).
 */
public record RowResult(DeleteOutcome outcome, String error, boolean recoverable, boolean sent) {
  public RowResult(DeleteOutcome outcome, String error) {
    this(outcome, error, false, false);
  }

  public RowResult(DeleteOutcome outcome, String error, boolean recoverable) {
    this(outcome, error, recoverable, false);
  }

  public static RowResult failed(Throwable t, boolean sent) {
    return new RowResult(DeleteOutcome.FAILED, t.toString(), Recoverable.is(t), sent);
  }
}
