package org.beamarchiver.transforms;

import org.beamarchiver.ledger.DeletionStatus;
import org.beamarchiver.ledger.Deletions;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.RateLimiter;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.io.cassandra.CassandraConnection;
import org.beamarchiver.io.cassandra.CassandraSessions;
import org.beamarchiver.io.cassandra.CassandraTable;
import org.beamarchiver.io.cassandra.GuardedDelete;
import org.beamarchiver.io.jdbc.JdbcGuardedDelete;
import org.beamarchiver.io.jdbc.JdbcTable;
import org.beamarchiver.io.store.ArchiveReader;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.DeleteOutcome;
import org.beamarchiver.model.DeleteTally;
import org.beamarchiver.model.PartitionDeletion;
import org.beamarchiver.model.RowToDelete;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.spec.TableSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For each archived partition: verify its archive, then delete exactly the rows the verified file
 * lists, each only if unchanged since archived ({@link GuardedDelete}). Verification and deletion
 * happen in the same DoFn call on the same verified local copy of the object, so the bytes that
 * were checked are the bytes whose keys are deleted. A partition whose archive fails any check has
 * nothing deleted; the others go on.
 */
public final class DeleteVerifiedRows
    extends PTransform<PCollection<ArchivedPartition>, PCollection<PartitionDeletion>> {

  /**
   * What the deleting step needs; serializable for workers. {@code ledger} and {@code runId} are
   * for the partition's write-ahead (deletion PENDING before its first delete).
   */
  public record Settings(
      CassandraConnection cassandra,
      JdbcEndpoint jdbcSource,
      TableSpec spec,
      SourceTable table,
      boolean dryRun,
      int concurrency,
      double deletesPerWorker,
      GuardedDelete.Hook hook,
      JdbcEndpoint ledger,
      String runId)
      implements java.io.Serializable {
    /** How long the source's (and the store's) outages are ridden out. */
    Outage outage() {
      return cassandra.outage();
    }
  }

  private final Settings settings;

  public DeleteVerifiedRows(Settings settings) {
    this.settings = settings;
  }

  @Override
  public PCollection<PartitionDeletion> expand(PCollection<ArchivedPartition> partitions) {
    return partitions
        .apply("SpreadPartitions", Reshuffle.viaRandomKey())
        .apply("VerifyArchiveThenDeleteUnchangedRows", ParDo.of(new VerifyThenDeleteFn(settings)))
        .setCoder(SerializableCoder.of(PartitionDeletion.class));
  }

  static final class VerifyThenDeleteFn extends DoFn<ArchivedPartition, PartitionDeletion> {
    private static final Logger LOG = LoggerFactory.getLogger(VerifyThenDeleteFn.class);
    /** Most rows of one partition checked and deleted together. */
    static final int MAX_GROUP = 64;
    /** Rows of a JDBC source checked and deleted in one transaction. */
    static final int JDBC_GROUP = 200;

    private final Counter verified = Metrics.counter("delete", "partitionsVerified");
    private final Counter unverified = Metrics.counter("delete", "partitionsFailedVerification");
    private final Counter deleted = Metrics.counter("delete", "rowsDeleted");
    private final Counter wouldDelete = Metrics.counter("delete", "rowsWouldDelete");
    private final Counter skippedChanged = Metrics.counter("delete", "rowsSkippedChanged");
    private final Counter absent = Metrics.counter("delete", "rowsAbsent");
    private final Counter failed = Metrics.counter("delete", "rowsFailed");
    private final Counter repairing = Metrics.counter("delete", "partitionsRepairing");

    private final Settings settings;
    private transient GuardedDelete guard;
    private transient JdbcGuardedDelete jdbcGuard;
    private transient Connection jdbc;
    private transient RateLimiter limiter;

    VerifyThenDeleteFn(Settings settings) {
      this.settings = settings;
    }

    @Setup
    public void setup() {
      Stores.setOutage(settings.outage());
      // --maxDeletesPerSecond divided among the run's workers: one limiter per worker instance.
      double rate = settings.deletesPerWorker();
      limiter = rate > 0 ? RateLimiter.create(rate) : null;
    }

    @Teardown
    public void teardown() throws SQLException {
      if (guard != null) {
        guard = null;
        CassandraSessions.release(settings.cassandra());
      }
      if (jdbc != null) {
        jdbc.close();
        jdbc = null;
      }
    }

    /** A row to try again, and whether its delete may have landed (then it is retried in repair mode). */
    private record Retry(RowToDelete row, boolean inDoubt, String error) {}

    /**
     * Sends a group; rows failing recoverably go to {@code retries} (a row whose delete was sent,
     * or that was already in doubt, stays in doubt).
     */
    private void submit(
        GuardedDelete g,
        List<RowToDelete> group,
        boolean repair,
        boolean alreadyInDoubt,
        DeleteTally tally,
        Semaphore inFlight,
        List<Retry> retries)
        throws InterruptedException {
      if (limiter != null) {
        limiter.acquire(group.size());
      }
      inFlight.acquire(group.size());
      ListenableFuture<List<GuardedDelete.Result>> f = g.applyGroup(group, settings.dryRun(), repair);
      f.addListener(
          () -> {
            List<GuardedDelete.Result> results;
            try {
              results = f.get();
            } catch (Exception e) {
              // applyGroup never fails; should it, the rows may have been sent: in doubt.
              GuardedDelete.Result failure = new GuardedDelete.Result(DeleteOutcome.FAILED, e.toString(), true, true);
              results = java.util.Collections.nCopies(group.size(), failure);
            }
            for (int i = 0; i < results.size(); i++) {
              GuardedDelete.Result res = results.get(i);
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

    private GuardedDelete guard() {
      if (guard == null) {
        guard =
            new GuardedDelete(
                CassandraSessions.acquire(settings.cassandra()),
                settings.spec(),
                (CassandraTable) settings.table(),
                settings.hook());
      }
      return guard;
    }

    @ProcessElement
    public void process(@Element ArchivedPartition p, OutputReceiver<PartitionDeletion> out)
        throws Exception {
      List<String> header = List.of(settings.table().layout().fileHeader());
      Path localDir = Path.of(System.getProperty("java.io.tmpdir"), "beam-archiver-verify");
      DeleteTally tally;
      // The object store's outages are ridden out here; past the budget the run gives up.
      try (ArchiveReader.VerifiedFile file = ArchiveReader.fetchVerified(p, header, localDir, settings.outage())) {
        verified.inc();
        if (settings.jdbcSource() != null) {
          tally = deleteJdbcRows(file.rows());
        } else {
          // Write-ahead: from here a delete may land. A partition whose earlier delete was
          // interrupted (still PENDING) is deleted in repair mode.
          boolean repair =
              !settings.dryRun()
                  && new Deletions(settings.ledger()).markPending(p, settings.runId()) == DeletionStatus.PENDING;
          if (repair) {
            repairing.inc();
            LOG.info("partition {}: an earlier delete was interrupted; checking its rows in repair mode", p.partition());
          }
          tally = deleteRows(p, file.rows(), repair);
        }
      } catch (ArchiveReader.VerificationException e) {
        unverified.inc();
        LOG.warn("partition {} not deleted: archive failed verification: {}", p.partition(), e.getMessage());
        tally = DeleteTally.unverified(e.getMessage());
      } catch (IOException e) {
        // Not an outage (those are ridden out above): a full local disk, a refused read.
        unverified.inc();
        LOG.warn("partition {} not deleted: could not fetch its archive: {}", p.partition(), e.toString());
        tally = DeleteTally.unverified("could not fetch the archive to verify it: " + e);
      }
      out.output(new PartitionDeletion(p, tally));
    }

    /**
     * A JDBC source: groups of archived rows checked and deleted in one transaction each
     * ({@link JdbcGuardedDelete}); a group that fails on a transient error is tried again, twice.
     */
    private DeleteTally deleteJdbcRows(Iterator<SourceRow> rows) throws Exception {
      if (jdbcGuard == null) {
        jdbcGuard = new JdbcGuardedDelete((JdbcTable) settings.table(), settings.hook());
      }
      DeleteTally tally = new DeleteTally();
      List<RowToDelete> group = new ArrayList<>();
      while (rows.hasNext()) {
        SourceRow r = rows.next();
        group.add(new RowToDelete(null, r.values(), r.writeTimeMicros()));
        if (group.size() == JDBC_GROUP || !rows.hasNext()) {
          if (limiter != null) {
            limiter.acquire(group.size());
          }
          List<GuardedDelete.Result> results = null;
          for (int attempt = 1; ; attempt++) {
            if (jdbc == null || jdbc.isClosed()) {
              jdbc = settings.jdbcSource().open();
            }
            results = jdbcGuard.apply(jdbc, group, settings.dryRun());
            GuardedDelete.Result first = results.get(0);
            if (attempt == 3 || first.outcome() != DeleteOutcome.FAILED || !first.recoverable()) {
              break;
            }
            LOG.warn("retrying a group of {} row(s) after a recoverable error: {}", group.size(), first.error());
            closeQuietly();
            Thread.sleep(1000L * attempt);
          }
          results.forEach(res -> tally.add(res.outcome(), res.error()));
          group = new ArrayList<>();
        }
      }
      count(tally);
      return tally;
    }

    private void closeQuietly() {
      try {
        jdbc.close();
      } catch (SQLException ignored) {
        // reopened on the next try
      }
      jdbc = null;
    }

    private void count(DeleteTally tally) {
      deleted.inc(tally.get(DeleteOutcome.DELETED));
      wouldDelete.inc(tally.get(DeleteOutcome.WOULD_DELETE));
      skippedChanged.inc(
          tally.get(DeleteOutcome.SKIPPED_CHANGED) + tally.get(DeleteOutcome.SKIPPED_NO_WRITE_TIME));
      absent.inc(tally.get(DeleteOutcome.ABSENT));
      failed.inc(tally.get(DeleteOutcome.FAILED) + tally.get(DeleteOutcome.IN_DOUBT));
    }

    /**
     * Deletes a verified file's rows under the guard, with as many groups in flight as the
     * concurrency allows. Rows that failed on a timeout, a lost node or a missing quorum are tried
     * again one by one, with backoff, through an outage of up to the budget (a row in doubt in
     * repair mode). If the outage lasts longer the run gives up: the partition stays PENDING and the
     * next run finishes it in repair mode.
     */
    private DeleteTally deleteRows(ArchivedPartition p, Iterator<SourceRow> rows, boolean repair)
        throws InterruptedException {
      DeleteTally tally = new DeleteTally();
      int permits = Math.max(MAX_GROUP, settings.concurrency());
      Semaphore inFlight = new Semaphore(permits);
      GuardedDelete g = guard();
      // Archive files are sorted by primary key, so the rows of one source partition are adjacent.
      List<RowToDelete> group = new ArrayList<>();
      List<Retry> retries = new ArrayList<>();
      while (rows.hasNext()) {
        SourceRow r = rows.next();
        RowToDelete row = new RowToDelete(p.uuid(), r.values(), r.writeTimeMicros());
        if (!group.isEmpty()
            && (group.size() == MAX_GROUP || !g.samePartition(group.get(0).values(), row.values()))) {
          submit(g, group, repair, false, tally, inFlight, retries);
          group = new ArrayList<>();
        }
        group.add(row);
      }
      if (!group.isEmpty()) {
        submit(g, group, repair, false, tally, inFlight, retries);
      }
      inFlight.acquire(permits);
      inFlight.release(permits);
      Outage outage = settings.outage();
      long started = System.nanoTime();
      for (int round = 1; ; round++) {
        List<Retry> again;
        synchronized (retries) {
          again = new ArrayList<>(retries);
          retries.clear();
        }
        if (again.isEmpty()) {
          break;
        }
        long wait = Math.min(15_000L, 1000L << Math.min(4, round - 1));
        java.time.Duration down = java.time.Duration.ofNanos(System.nanoTime() - started);
        if (down.plusMillis(wait).compareTo(outage.budget()) > 0) {
          throw new Outage.GaveUpException(
              "delete " + again.size() + " row(s) of partition " + p.partition() + " ("
                  + again.stream().filter(Retry::inDoubt).count() + " in doubt)",
              round, down, outage.budget(), new RuntimeException(again.get(0).error()));
        }
        if (round == 1 || round % 5 == 0) {
          LOG.warn(
              "retrying {} row(s) of partition {} after recoverable errors (round {}, {} in doubt): {}",
              again.size(), p.partition(), round, again.stream().filter(Retry::inDoubt).count(), again.get(0).error());
        }
        Thread.sleep(wait);
        for (Retry r : again) {
          submit(g, List.of(r.row()), repair || r.inDoubt(), r.inDoubt(), tally, inFlight, retries);
        }
        inFlight.acquire(permits);
        inFlight.release(permits);
      }
      synchronized (tally) {
        // Counters on this thread: Beam's metric containers are per processing thread.
        count(tally);
        return tally;
      }
    }
  }
}
