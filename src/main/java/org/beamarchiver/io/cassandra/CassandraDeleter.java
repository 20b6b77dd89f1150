package org.beamarchiver.io.cassandra;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.io.source.GuardedDeleter;
import org.beamarchiver.io.source.RowResult;
import org.beamarchiver.io.source.Throttle;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.DeleteOutcome;
import org.beamarchiver.model.DeleteTally;
import org.beamarchiver.model.RowToDelete;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.spec.TableSpec;

/**
 * A Cassandra table's guarded delete for one worker: the rows of a partition in groups of one
 * source partition each ({@link GuardedDelete}), as many rows in flight as the concurrency allows,
 * after the partition's write-ahead; rows that fail on a timeout, a lost node or a missing quorum
 * are tried again, one by one, with backoff, through an outage of up to the budget.
 */
final class CassandraDeleter implements GuardedDeleter {
  /** Most rows of one partition checked and deleted together. */
  static final int MAX_GROUP = 64;

  private final CassandraConnection connection;
  private final GuardedDelete guard;
  private final int concurrency;
  private final Throttle throttle;

  CassandraDeleter(
      CassandraConnection connection, TableSpec spec, CassandraTable table, DeleteHook hook, int concurrency,
      Throttle throttle) {
    this.connection = connection;
    this.guard = new GuardedDelete(CassandraSessions.acquire(connection), spec, table, hook);
    this.concurrency = concurrency;
    this.throttle = throttle;
  }

  @Override
  public void close() {
    CassandraSessions.release(connection);
  }

  /** A row to try again, and whether its delete may have landed (then it is retried in repair mode). */
  private record Retry(RowToDelete row, boolean inDoubt, String error) {}

  /**
   * Deletes a verified file's rows under the guard. A partition whose earlier delete was
   * interrupted (the write-ahead says so) is deleted in repair mode. If an outage lasts longer than
   * the budget the run gives up: the partition stays PENDING and the next run finishes it in repair
   * mode.
   */
  @Override
  public DeleteTally delete(ArchivedPartition p, Iterator<SourceRow> rows, boolean dryRun, WriteAhead writeAhead)
      throws Exception {
    // Write-ahead: from here a delete may land.
    boolean repair = !dryRun && writeAhead.begin();
    DeleteTally tally = new DeleteTally();
    int permits = Math.max(MAX_GROUP, concurrency);
    Semaphore inFlight = new Semaphore(permits);
    // Archive files are sorted by primary key, so the rows of one source partition are adjacent.
    List<RowToDelete> group = new ArrayList<>();
    List<Retry> retries = new ArrayList<>();
    while (rows.hasNext()) {
      SourceRow r = rows.next();
      RowToDelete row = new RowToDelete(p.uuid(), r.values(), r.writeTimeMicros());
      if (!group.isEmpty()
          && (group.size() == MAX_GROUP || !guard.samePartition(group.get(0).values(), row.values()))) {
        submit(group, dryRun, repair, false, tally, inFlight, retries);
        group = new ArrayList<>();
      }
      group.add(row);
    }
    if (!group.isEmpty()) {
      submit(group, dryRun, repair, false, tally, inFlight, retries);
    }
    inFlight.acquire(permits);
    inFlight.release(permits);
    Outage.Rounds rounds = connection.outage().rounds();
    while (true) {
      List<Retry> again;
      synchronized (retries) {
        again = new ArrayList<>(retries);
        retries.clear();
      }
      if (again.isEmpty()) {
        break;
      }
      rounds.next(
          "delete " + again.size() + " row(s) of partition " + p.partition() + " ("
              + again.stream().filter(Retry::inDoubt).count() + " in doubt)",
          again.get(0).error());
      for (Retry r : again) {
        submit(List.of(r.row()), dryRun, repair || r.inDoubt(), r.inDoubt(), tally, inFlight, retries);
      }
      inFlight.acquire(permits);
      inFlight.release(permits);
    }
    synchronized (tally) {
      return tally;
    }
  }

  /**
   * Sends a group; rows failing recoverably go to {@code retries} (a row whose delete was sent, or
   * that was already in doubt, stays in doubt).
   */
  private void submit(
      List<RowToDelete> group,
      boolean dryRun,
      boolean repair,
      boolean alreadyInDoubt,
      DeleteTally tally,
      Semaphore inFlight,
      List<Retry> retries)
      throws InterruptedException {
    throttle.acquire(group.size());
    inFlight.acquire(group.size());
    ListenableFuture<List<RowResult>> f = guard.applyGroup(group, dryRun, repair);
    f.addListener(
        () -> {
          List<RowResult> results;
          try {
            results = f.get();
          } catch (Exception e) {
            // applyGroup never fails; should it, the rows may have been sent: in doubt.
            RowResult failure = new RowResult(DeleteOutcome.FAILED, e.toString(), true, true);
            results = Collections.nCopies(group.size(), failure);
          }
          for (int i = 0; i < results.size(); i++) {
            RowResult res = results.get(i);
            boolean inDoubt = alreadyInDoubt || res.sent();
            if (res.outcome() == DeleteOutcome.FAILED && res.recoverable()) {
              synchronized (retries) {
                retries.add(new Retry(group.get(i), inDoubt, res.error()));
              }
            } else {
              synchronized (tally) {
                tally.add(res.outcome() == DeleteOutcome.FAILED && inDoubt ? DeleteOutcome.IN_DOUBT : res.outcome(), res.error());
              }
            }
          }
          inFlight.release(group.size());
        },
        MoreExecutors.directExecutor());
  }
}
