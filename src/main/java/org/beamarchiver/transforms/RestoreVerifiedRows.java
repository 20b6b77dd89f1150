package org.beamarchiver.transforms;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.io.source.LiveSource;
import org.beamarchiver.io.source.RestoreWriter;
import org.beamarchiver.io.source.Throttle;
import org.beamarchiver.io.source.Family;
import org.beamarchiver.io.store.ArchiveReader;
import org.beamarchiver.io.store.FamilyArchive;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Restore;
import org.beamarchiver.ledger.RestoreStatus;
import org.beamarchiver.ledger.Restores;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.PartitionRestore;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.sql.JdbcEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores archived partitions: each file is fetched and verified against the ledger (size,
 * SHA-256, header, row count; the ledger row itself was checked against its signed manifest at
 * launch), then its rows are written into the target by the target's {@link RestoreWriter}, and
 * the outcome is recorded in the ledger's {@code archival_restore}. A partition whose file fails
 * verification writes nothing; the others go on.
 */
public final class RestoreVerifiedRows
    extends PTransform<PCollection<ArchivedPartition>, PCollection<PartitionRestore>> {

  /**
   * What the restoring step needs; serializable for workers.
   *
   * @param target the store written into (the source's, or another database)
   * @param targetSpec the target table: the source's shape, the target's name, the archived columns
   */
  public record Settings(
      LiveSource target,
      TableSpec targetSpec,
      List<String> fileHeader,
      int concurrency,
      double writesPerWorker,
      JdbcEndpoint ledger,
      String archiveType,
      String runId,
      Family family)
      implements java.io.Serializable {
    public Settings(
        LiveSource target, TableSpec targetSpec, List<String> fileHeader, int concurrency, double writesPerWorker,
        JdbcEndpoint ledger, String archiveType, String runId) {
      this(target, targetSpec, fileHeader, concurrency, writesPerWorker, ledger, archiveType, runId, null);
    }
  }

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
    private transient RestoreWriter writer;

    VerifyThenWriteFn(Settings settings) {
      this.settings = settings;
    }

    @Setup
    public void setup() {
      Stores.setOutage(settings.target().outage());
      // --maxWritesPerSecond divided among the run's workers: one throttle per worker instance.
      writer =
          settings.target().openWriter(
              settings.targetSpec(), settings.concurrency(), Throttle.perSecond(settings.writesPerWorker()));
    }

    @Teardown
    public void teardown() {
      if (writer != null) {
        writer.close();
        writer = null;
      }
    }

    @ProcessElement
    public void process(@Element ArchivedPartition p, OutputReceiver<PartitionRestore> out) throws Exception {
      Path localDir = Path.of(System.getProperty("java.io.tmpdir"), "beam-archiver-verify");
      PartitionRestore result;
      // The object store's outages are ridden out here; past the budget the run gives up.
      try (ArchiveReader.VerifiedFile file =
              ArchiveReader.fetchVerified(p, settings.fileHeader(), localDir, settings.target().outage());
          FamilyArchive family = FamilyArchive.open(p, file, settings.family(), localDir, settings.target().outage())) {
        result = writer.write(p, file.rows(), family.rows());
        restored.inc(result.rowsWritten());
        failedRows.inc(result.rowsFailed());
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
              settings.targetSpec().qualifiedTable(), Instant.now(), result.rowsWritten(),
              result.succeeded() ? RestoreStatus.SUCCESS : RestoreStatus.FAILED,
              result.succeeded()
                  ? (result.rowsPresent() + result.rowsKeptNewer() == 0 ? null
                      : result.rowsPresent() + " already present, " + result.rowsKeptNewer() + " newer in the target (kept)")
                  : result.error() != null ? result.error() : result.rowsFailed() + " row(s) failed to write");
      // Ridden through a ledger outage; a retry rewrites the same record.
      new Restores(settings.ledger()).record("record the restore of " + p.partition(), settings.archiveType(), record);
      out.output(result);
    }
  }
}
