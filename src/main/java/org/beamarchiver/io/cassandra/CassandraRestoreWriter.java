package org.beamarchiver.io.cassandra;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.beamarchiver.io.source.RestoreWriter;
import org.beamarchiver.io.source.Throttle;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.PartitionRestore;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.retry.Recoverable;
import org.beamarchiver.spec.TableSpec;

/**
 * Writes restored rows into a Cassandra table for one worker ({@link RestoreTarget}: read first,
 * written only where the target lacks the archived row), with as many rows in flight as the
 * concurrency allows.
 */
final class CassandraRestoreWriter implements RestoreWriter {
  private final CassandraConnection connection;
  private final RestoreTarget target;
  private final int concurrency;
  private final Throttle throttle;

  CassandraRestoreWriter(CassandraConnection connection, TableSpec target, int concurrency, Throttle throttle) {
    this.connection = connection;
    this.target = new RestoreTarget(CassandraSessions.acquire(connection), target, connection.consistency());
    this.concurrency = concurrency;
    this.throttle = throttle;
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
    Outage.Rounds rounds = connection.outage().rounds();
    while (true) {
      while (todo.hasNext()) {
        SourceRow row = todo.next();
        throttle.acquire(1);
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
      rounds.next("restore " + again.size() + " row(s) of partition " + p.partition(), firstError.get());
      todo = again.iterator();
    }
    String error = failed.get() == 0 ? null : failed.get() + " row(s) failed to write, first: " + firstError.get();
    return new PartitionRestore(p, written.get(), present.get(), newer.get(), failed.get(), error);
  }
}
