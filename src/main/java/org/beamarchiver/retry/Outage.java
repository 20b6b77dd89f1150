package org.beamarchiver.retry;

import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.FluentBackoff;
import org.apache.beam.sdk.util.Sleeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a run rides out an unreachable dependency (the ledger database failing over, the object
 * store answering errors, a Cassandra quorum briefly gone) before it gives up: an operation that
 * fails with a {@link Recoverable} error is tried again after a backoff (1 s, doubling, at most
 * 15 s, jittered) until it succeeds or the budget has passed since its first failure; then {@link
 * GaveUpException} ends it, naming what failed and for how long. Errors that are not recoverable
 * (a refused request, a bad row, a full disk) fail at once. Every operation passed here must be
 * safe to repeat, including after an attempt whose outcome is unknown (a commit whose answer was
 * lost).
 *
 * @param budget the longest outage ridden out; zero tries once
 */
public record Outage(Duration budget) implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(Outage.class);

  /** The default: longer than a managed database's failover (typically 30 to 120 s). */
  public static final Duration DEFAULT = Duration.ofMinutes(3);

  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

  public static Outage ofSeconds(long seconds) {
    if (seconds < 0) {
      throw new IllegalArgumentException("--maxOutageSeconds=" + seconds + " must be 0 or more");
    }
    return new Outage(Duration.ofSeconds(seconds));
  }

  /** One operation; may throw. */
  @FunctionalInterface
  public interface Call<T, E extends Exception> {
    T run() throws E;
  }

  /**
   * Runs {@code op}, trying again through an outage of up to the budget.
   *
   * @param what what the operation does, for the log and the final error ("record job state")
   * @throws E the operation's own error when it is not recoverable
   * @throws GaveUpException when the outage outlasted the budget; its cause is the last error
   */
  public <T, E extends Exception> T call(String what, Call<T, E> op) throws E {
    return call(what, op, Sleeper.DEFAULT);
  }

  <T, E extends Exception> T call(String what, Call<T, E> op, Sleeper sleeper) throws E {
    Rounds failures = new Rounds(budget, sleeper);
    while (true) {
      try {
        T result = op.run();
        if (failures.count() > 0) {
          LOG.info("{}: succeeded again after {} failed attempt(s) over {} s", what, failures.count(),
              failures.sinceFirst().toSeconds());
        }
        return result;
      } catch (Exception e) {
        if (!Recoverable.is(e)) {
          throw e;
        }
        long wait = failures.waitOrGiveUp(what, e);
        if (failures.worthLogging()) {
          LOG.warn("{} failed ({}); trying again for up to {} s", what, first(e), budget.toSeconds());
        }
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new GaveUpException(what, failures.count(), failures.down(), budget, e);
        }
      }
    }
  }

  /** {@link #call} for work that returns nothing. */
  public <E extends Exception> void run(String what, Call<Void, E> op) throws E {
    call(what, op);
  }

  /**
   * Rounds of retrying many operations sent at once (the rows of a partition, many in flight): the
   * caller sends everything, collects what failed recoverably, and calls {@link Rounds#next} before
   * sending that again; the outage is counted from the first round.
   */
  public Rounds rounds() {
    return new Rounds(budget, Sleeper.DEFAULT);
  }

  /**
   * The failures of one operation ({@link #call}) or the retry rounds of one batch of operations
   * ({@link #rounds}): the outage counted from the first, the backoff between them, the budget.
   */
  public static final class Rounds {
    private final Duration budget;
    private final Sleeper sleeper;
    private long started;
    private int count;
    private Duration down = Duration.ZERO;
    private BackOff backoff;

    private Rounds(Duration budget, Sleeper sleeper) {
      this.budget = budget;
      this.sleeper = sleeper;
    }

    /**
     * Waits the backoff before the next round, or gives up when the outage would outlast the budget.
     *
     * @param what what the round retries, for the log and the error ("delete 12 row(s) of partition …")
     * @param lastError the latest recoverable error
     * @throws GaveUpException past the budget
     */
    public void next(String what, String lastError) throws InterruptedException {
      long wait = waitOrGiveUp(what, new RuntimeException(lastError));
      if (worthLogging()) {
        LOG.warn("{}: retrying after recoverable errors (round {}; for up to {} s): {}", what, count,
            budget.toSeconds(), lastError);
      }
      sleeper.sleep(wait);
    }

    /** Counts a failure; returns the backoff before the next try, or gives up past the budget. */
    long waitOrGiveUp(String what, Throwable last) {
      long now = System.nanoTime();
      if (count++ == 0) {
        started = now;
        backoff = newBackOff();
      }
      down = Duration.ofNanos(now - started);
      long wait = nextBackOff(backoff);
      if (down.plusMillis(wait).compareTo(budget) > 0) {
        throw new GaveUpException(what, count, down, budget, last);
      }
      return wait;
    }

    /** Failures (rounds) so far. */
    int count() {
      return count;
    }

    /** The outage at the latest failure, counted from the first. */
    Duration down() {
      return down;
    }

    /** Time since the first failure. */
    Duration sinceFirst() {
      return Duration.ofNanos(System.nanoTime() - started);
    }

    /** The first failure and every fifth are logged. */
    boolean worthLogging() {
      return count == 1 || count % 5 == 0;
    }
  }

  private static BackOff newBackOff() {
    return FluentBackoff.DEFAULT
        .withInitialBackoff(org.joda.time.Duration.millis(FIRST_BACKOFF.toMillis()))
        .withMaxBackoff(org.joda.time.Duration.millis(MAX_BACKOFF.toMillis()))
        .backoff();
  }

  private static long nextBackOff(BackOff backoff) {
    try {
      long ms = backoff.nextBackOffMillis();
      return ms == BackOff.STOP ? MAX_BACKOFF.toMillis() : ms;
    } catch (IOException e) {
      return MAX_BACKOFF.toMillis();
    }
  }

  private static String first(Throwable e) {
    String s = String.valueOf(e);
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** An outage outlasted the budget: the operation is abandoned; a rerun resumes the work. */
  public static final class GaveUpException extends RuntimeException {
    private final String what;

    public GaveUpException(String what, int attempts, Duration down, Duration budget, Throwable last) {
      super(
          what + " failed for " + down.toSeconds() + " s (" + attempts + " attempts; --maxOutageSeconds="
              + budget.toSeconds() + "), gave up: " + first(last),
          last);
      this.what = what;
    }

    /** What could not be done. */
    public String what() {
      return what;
    }
  }
}
