package org.beamarchiver.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.util.Sleeper;
import org.junit.jupiter.api.Test;

/** Riding out an outage: what is retried, for how long, and what ends it. */
class OutageTest {
  /** A sleeper that only records the waits, so the test takes no time; the budget is wall time, so the waits are kept short. */
  static final class Waits implements Sleeper {
    final List<Long> millis = new ArrayList<>();

    @Override
    public void sleep(long ms) {
      millis.add(ms);
    }
  }

  @Test
  void retriesRecoverableErrorsUntilTheOperationSucceeds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Waits waits = new Waits();
    String out =
        new Outage(Duration.ofMinutes(3))
            .call(
                "read the ledger",
                () -> {
                  if (calls.incrementAndGet() < 5) {
                    throw new SQLException("Connection refused", "08001");
                  }
                  return "ok";
                },
                waits);
    assertEquals("ok", out);
    assertEquals(5, calls.get());
    assertEquals(4, waits.millis.size());
    // 1 s doubling (jittered by FluentBackoff), never above 15 s
    assertTrue(waits.millis.get(0) >= 500 && waits.millis.get(0) <= 1500, waits.millis.toString());
    assertTrue(waits.millis.stream().allMatch(w -> w <= 15_000 * 1.5), waits.millis.toString());
  }

  @Test
  void failsAtOnceOnAnErrorThatIsNotRecoverable() {
    AtomicInteger calls = new AtomicInteger();
    SQLException refused = new SQLException("permission denied for table archival_metadata", "42501");
    SQLException thrown =
        assertThrows(
            SQLException.class,
            () ->
                new Outage(Duration.ofMinutes(3))
                    .call(
                        "write the ledger",
                        () -> {
                          calls.incrementAndGet();
                          throw refused;
                        },
                        new Waits()));
    assertSame(refused, thrown);
    assertEquals(1, calls.get());
  }

  @Test
  void givesUpWhenTheOutageOutlastsTheBudgetNamingWhatFailed() {
    AtomicInteger calls = new AtomicInteger();
    // Real waits against a 2-second budget: the first wait (~1 s) fits, the later ones do not.
    Outage.GaveUpException e =
        assertThrows(
            Outage.GaveUpException.class,
            () ->
                new Outage(Duration.ofSeconds(2))
                    .call(
                        "record job state DELETING",
                        () -> {
                          calls.incrementAndGet();
                          throw new SQLTransientConnectionException("the database system is shutting down", "57P03");
                        }));
    assertTrue(calls.get() >= 2, "tried again before giving up: " + calls.get());
    assertTrue(e.getMessage().startsWith("record job state DELETING failed for "), e.getMessage());
    assertTrue(e.getMessage().contains("--maxOutageSeconds=2"), e.getMessage());
    assertInstanceOf(SQLTransientConnectionException.class, e.getCause());
    // Giving up is final: the run's own retries do not start the wait again.
    assertTrue(!Recoverable.is(e) && !Recoverable.is(new RuntimeException("wrapped", e)));
  }

  @Test
  void aZeroBudgetTriesOnce() {
    AtomicInteger calls = new AtomicInteger();
    assertThrows(
        Outage.GaveUpException.class,
        () ->
            Outage.ofSeconds(0)
                .call(
                    "open the object",
                    () -> {
                      calls.incrementAndGet();
                      throw new java.io.IOException(new ConnectException("Connection refused"));
                    }));
    assertEquals(1, calls.get());
  }

  @Test
  void recognisesServersGoingAwayAndObjectStoresAnsweringLater() {
    assertTrue(Recoverable.is(new SQLException("terminating connection due to administrator command", "57P01")));
    assertTrue(Recoverable.is(new SQLException("I/O error", "08006")));
    assertTrue(!Recoverable.is(new SQLException("duplicate key", "23505")));
    assertTrue(Recoverable.is(new java.io.IOException(new ServiceError(503))));
    assertTrue(Recoverable.is(new ServiceError(429)));
    assertTrue(!Recoverable.is(new ServiceError(403)));
    assertTrue(!Recoverable.is(new java.io.IOException("No space left on device")));
    assertThrows(IllegalArgumentException.class, () -> Outage.ofSeconds(-1));
  }

  /** Shaped like the AWS SDK's service exceptions (a {@code statusCode()}). */
  static final class ServiceError extends RuntimeException {
    private final int status;

    ServiceError(int status) {
      super("status " + status);
      this.status = status;
    }

    public int statusCode() {
      return status;
    }
  }

  @Test
  void roundsOfRetriesWaitThenGiveUpPastTheBudgetNamingWhatWasLeft() throws Exception {
    // Real waits against a 2-second budget: the first round's wait (about 1 s) fits; by the
    // third round the outage would outlast the budget.
    Outage.Rounds rounds = new Outage(Duration.ofSeconds(2)).rounds();
    long started = System.nanoTime();
    rounds.next("delete 3 row(s) of partition b1 2026-W01", "timeout");
    assertTrue(System.nanoTime() - started >= 400_000_000L, "the first round waits its backoff");
    Outage.GaveUpException e =
        assertThrows(
            Outage.GaveUpException.class,
            () -> {
              for (int i = 0; i < 10; i++) {
                rounds.next("delete 2 row(s) of partition b1 2026-W01", "no quorum");
              }
            });
    assertEquals("delete 2 row(s) of partition b1 2026-W01", e.what());
    assertTrue(e.getMessage().contains("--maxOutageSeconds=2") && e.getMessage().contains("no quorum"), e.getMessage());
    assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(3)) < 0, "gave up within the budget");
  }
}
