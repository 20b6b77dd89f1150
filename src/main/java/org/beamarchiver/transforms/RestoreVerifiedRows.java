package org.beamarchiver.transforms;

import org.beamarchiver.ledger.Restores;
import org.beamarchiver.ledger.RestoreStatus;
import org.beamarchiver.ledger.Restore;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.RateLimiter;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
import org.beamarchiver.io.cassandra.RestoreTarget;
import org.beamarchiver.io.jdbc.JdbcRestoreTarget;
import org.beamarchiver.io.store.ArchiveReader;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.PartitionRestore;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.retry.Recoverable;
import org.beamarchiver.spec.TableSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores archived partitions: each file is fetched and verified against the ledger (size,
 * SHA-256, header, row count; the ledger row itself was checked against its signed manifest at
 * launch), then its rows are upserted into the target ({@link RestoreTarget}) with bounded
 * concurrency, and the outcome is recorded in the ledger's {@code archival_restore}. A partition
 * whose file fails verification writes nothing; the others go on.
 */
public final class RestoreVerifiedRows
    extends PTransform<PCollection<ArchivedPartition>, PCollection<PartitionRestore>> {

  /** What the restoring step needs; serializable for workers. */
  public record Settings(
      CassandraConnection cassandra,
      TableSpec target,
      List<String> fileHeader,
      int concurrency,
      double writesPerWorker,
      JdbcEndpoint ledger,
      String archiveType,
      String runId,
      JdbcEndpoint jdbcTarget)
      implements java.io.Serializable {}

  private final Settings settings;

  public RestoreVerifiedRows(Settings settings) {
    this.settings = settings;
  }

  @Override
  public PCollection<PartitionRestore> expand(PCollection<ArchivedPartition> partitions) {
    return partitions
        .apply("SpreadPartitions", Reshuffle.viaRandomKey())
        .apply("VerifyArchiveThenWriteRows", ParDo.of(new VerifyThenWriteFn(settings)))
        .setCoder(SerializableCoder.of(PartitionRestore.class));
  }

  static final class VerifyThenWriteFn extends DoFn<ArchivedPartition, PartitionRestore> {
    private static final Logger LOG = LoggerFactory.getLogger(VerifyThenWriteFn.class);

    private final Counter restored = Metrics.counter("restore", "rowsRestored");
    private final Counter failedRows = Metrics.counter("restore", "rowsFailed");
    private final Counter partitionsRestored = Metrics.counter("restore", "partitionsRestored");
    private final Counter partitionsFailed = Metrics.counter("restore", "partitionsFailed");

    private final Settings settings;
    private transient RestoreTarget target;
    private transient RateLimiter limiter;

    VerifyThenWriteFn(Settings settings) {
      this.settings = settings;
    }

    @Setup
    public void setup() {
      Stores.setOutage(settings.cassandra().outage());
      if (settings.jdbcTarget() != null) {
        return; // a JDBC target is written per partition, on its own connection
      }
      target =
          new RestoreTarget(CassandraSessions.acquire(settings.cassandra()), settings.target(), settings.cassandra().consistency());
      // --maxWritesPerSecond divided among the run's workers: one limiter per worker instance.
      double rate = settings.writesPerWorker();
      limiter = rate > 0 ? RateLimiter.create(rate) : null;
    }

    @Teardown
    public void teardown() {
      if (target != null) {
        target = null;
        CassandraSessions.release(settings.cassandra());
      }
    }

    @ProcessElement
    public void process(@Element ArchivedPartition p, OutputReceiver<PartitionRestore> out) throws Exception {
      Path localDir = Path.of(System.getProperty("java.io.tmpdir"), "beam-archiver-verify");
      PartitionRestore result;
      // The object store's outages are ridden out here; past the budget the run gives up.
      try (ArchiveReader.VerifiedFile file =
          ArchiveReader.fetchVerified(p, settings.fileHeader(), localDir, settings.cassandra().outage())) {
        result = settings.jdbcTarget() != null ? writeJdbc(p, file.rows()) : write(p, file.rows());
      } catch (ArchiveReader.VerificationException e) {
        LOG.warn("partition {} not restored: archive failed verification: {}", p.partition(), e.getMessage());
        result = new PartitionRestore(p, 0, 0, 0, 0, "archive failed verification: " + e.getMessage());
      } catch (java.io.IOException e) {
        // Not an outage (those are ridden out above): a full local disk, a refused read.
        LOG.warn("partition {} not restored: could not fetch its archive: {}", p.partition(), e.toString());
        result = new PartitionRestore(p, 0, 0, 0, 0, "could not fetch the archive to verify it: " + e);
      }
      if (result.succeeded()) {
        partitionsRestored.inc();
      } else {
        partitionsFailed.inc();
      }
      Restore record =
          new Restore(
              settings.runId(), p.uuid(), p.partition().batchId(), p.partition().period(), p.blobUrl(),
              settings.target().qualifiedTable(), Instant.now(), result.rowsWritten(),
              result.succeeded() ? RestoreStatus.SUCCESS : RestoreStatus.FAILED,
              result.succeeded()
                  ? (result.rowsPresent() + result.rowsKeptNewer() == 0 ? null
                      : result.rowsPresent() + " already present, " + result.rowsKeptNewer() + " newer in the target (kept)")
                  : result.error() != null ? result.error() : result.rowsFailed() + " row(s) failed to write");
      // Ridden through a ledger outage; a retry rewrites the same record.
      new Restores(settings.ledger()).record("record the restore of " + p.partition(), settings.archiveType(), record);
      out.output(result);
    }

    private PartitionRestore writeJdbc(ArchivedPartition p, Iterator<SourceRow> rows) {
      JdbcRestoreTarget jdbc =
          new JdbcRestoreTarget(
              settings.target().table(), settings.target().columns(), settings.target().primaryKey(),
              settings.target().timeColumn());
      try (Connection c = settings.jdbcTarget().open()) {
        JdbcRestoreTarget.Counts n = jdbc.write(c, rows);
        restored.inc(n.written());
        return new PartitionRestore(p, n.written(), n.kept(), 0, 0, null);
      } catch (java.sql.SQLException e) {
        LOG.warn("partition {} not restored: {}", p.partition(), e.toString());
        return new PartitionRestore(p, 0, 0, 0, 0, "JDBC write failed (rolled back): " + e.getMessage());
      }
    }

    /**
     * Writes a verified file's rows, with bounded concurrency. Rows that failed on a timeout, a lost
     * node or a missing quorum are tried again (read first, so a write that did land is not made
     * twice) with backoff through an outage of up to the budget; past it the run gives up, and a
     * rerun (idempotent) finishes the partition.
     */
    private PartitionRestore write(ArchivedPartition p, Iterator<SourceRow> rows) throws InterruptedException {
      int permits = Math.max(1, settings.concurrency());
      Semaphore inFlight = new Semaphore(permits);
      AtomicLong written = new AtomicLong();
      AtomicLong present = new AtomicLong();
      AtomicLong newer = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      AtomicReference<String> firstError = new AtomicReference<>();
      List<SourceRow> retries = new java.util.ArrayList<>();
      Iterator<SourceRow> todo = rows;
      Outage outage = settings.cassandra().outage();
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
          again = new java.util.ArrayList<>(retries);
          retries.clear();
        }
        if (again.isEmpty()) {
          break;
        }
        if (round == 0) {
          started = System.nanoTime();
        }
        long wait = Math.min(15_000L, 1000L << Math.min(4, round));
        java.time.Duration down = java.time.Duration.ofNanos(System.nanoTime() - started);
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
      restored.inc(written.get());
      failedRows.inc(failed.get());
      String error = failed.get() == 0 ? null : failed.get() + " row(s) failed to write, first: " + firstError.get();
      return new PartitionRestore(p, written.get(), present.get(), newer.get(), failed.get(), error);
    }
  }
}
