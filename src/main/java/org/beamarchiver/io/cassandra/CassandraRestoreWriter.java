package org.beamarchiver.io.cassandra;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.beamarchiver.io.source.RestoreWriter;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.PartitionRestore;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.retry.Recoverable;
import org.beamarchiver.spec.TableSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes restored rows into a Cassandra table for one worker ({@link RestoreTarget}: read first,
 * written only where the target lacks the archived row), with as many rows in flight as the
 * concurrency allows.
 */
final class CassandraRestoreWriter implements RestoreWriter {
  private static final Logger LOG = LoggerFactory.getLogger(CassandraRestoreWriter.class);

  private final CassandraConnection connection;
  private final RestoreTarget target;
  private final int concurrency;
  private RateLimiter limiter;

  CassandraRestoreWriter(CassandraConnection connection, TableSpec target, int concurrency) {
    this.connection = connection;
    this.target = new RestoreTarget(CassandraSessions.acquire(connection), target, connection.consistency());
    this.concurrency = concurrency;
  }

  @Override
  public void limit(double rowsPerSecond) {
    limiter = rowsPerSecond > 0 ? RateLimiter.create(rowsPerSecond) : null;
  }

  @Override
  public void close() {
    CassandraSessions.release(connection);
  }

  /**
   * Rows that failed on a timeout, a lost node or a missing quorum are tried again (read first, so
   * a write that did land is not made twice) with backoff through an outage of up to the budget;
   * past it the run gives up, and a rerun (idempotent) finishes the partition.
   */
  @Override
  public PartitionRestore write(ArchivedPartition p, Iterator<SourceRow> rows) throws InterruptedException {
    int permits = Math.max(1, concurrency);
    Semaphore inFlight = new Semaphore(permits);
    AtomicLong written = new AtomicLong();
    AtomicLong present = new AtomicLong();
    AtomicLong newer = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    List<SourceRow> retries = new ArrayList<>();
    Iterator<SourceRow> todo = rows;
    Outage outage = connection.outage();
    long started = 0;
    for (int round = 0; ; round++) {
      while (todo.hasNext()) {
        SourceRow row = todo.next();
        if (limiter != null) {
          limiter.acquire();
        }
        inFlight.acquire();
        Futures.addCallback(
            target.restore(row),
            new FutureCallback<RestoreTarget.Outcome>() {
              @Override
              public void onSuccess(RestoreTarget.Outcome outcome) {
                (outcome == RestoreTarget.Outcome.WRITTEN ? written
                    : outcome == RestoreTarget.Outcome.ALREADY_PRESENT ? present : newer).incrementAndGet();
                inFlight.release();
              }

              @Override
              public void onFailure(Throwable t) {
                if (Recoverable.is(t)) {
                  synchronized (retries) {
                    retries.add(row);
                  }
                } else {
                  failed.incrementAndGet();
                }
                firstError.compareAndSet(null, t.toString());
                inFlight.release();
              }
            },
            MoreExecutors.directExecutor());
      }
      inFlight.acquire(permits);
      inFlight.release(permits);
      List<SourceRow> again;
      synchronized (retries) {
        again = new ArrayList<>(retries);
        retries.clear();
      }
      if (again.isEmpty()) {
        break;
      }
      if (round == 0) {
        started = System.nanoTime();
      }
      long wait = Math.min(15_000L, 1000L << Math.min(4, round));
      Duration down = Duration.ofNanos(System.nanoTime() - started);
      if (down.plusMillis(wait).compareTo(outage.budget()) > 0) {
        throw new Outage.GaveUpException(
            "restore " + again.size() + " row(s) of partition " + p.partition(), round + 1, down, outage.budget(),
            new RuntimeException(firstError.get()));
      }
      if (round == 0 || round % 5 == 4) {
        LOG.warn("retrying {} row(s) of partition {} after recoverable errors (round {}): {}",
            again.size(), p.partition(), round + 1, firstError.get());
      }
      Thread.sleep(wait);
      todo = again.iterator();
    }
    String error = failed.get() == 0 ? null : failed.get() + " row(s) failed to write, first: " + firstError.get();
    return new PartitionRestore(p, written.get(), present.get(), newer.get(), failed.get(), error);
  }
}
