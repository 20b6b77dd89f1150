package org.beamarchiver.transforms;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.io.source.GuardedDeleter;
import org.beamarchiver.io.source.LiveSource;
import org.beamarchiver.io.source.Throttle;
import org.beamarchiver.io.source.Family;
import org.beamarchiver.io.store.ArchiveReader;
import org.beamarchiver.io.store.FamilyArchive;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.DeletionStatus;
import org.beamarchiver.ledger.Deletions;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.DeleteOutcome;
import org.beamarchiver.model.DeleteTally;
import org.beamarchiver.model.PartitionDeletion;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.sql.JdbcEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For each archived partition: verify its archive, then delete exactly the rows the verified file
 * lists, each only if unchanged since archived (the source's {@link GuardedDeleter}). Verification
 * and deletion happen in the same DoFn call on the same verified local copy of the object, so the
 * bytes that were checked are the bytes whose keys are deleted. A partition whose archive fails any
 * check has nothing deleted; the others go on.
 */
public final class DeleteVerifiedRows
    extends PTransform<PCollection<ArchivedPartition>, PCollection<PartitionDeletion>> {

  /**
   * What the deleting step needs; serializable for workers. {@code ledger} and {@code runId} are
   * for the partition's write-ahead (deletion PENDING before its first delete).
   */
  public record Settings(
      LiveSource source,
      SourceTable table,
      boolean dryRun,
      int concurrency,
      double deletesPerWorker,
      DeleteHook hook,
      JdbcEndpoint ledger,
      String runId,
      Family family)
      implements java.io.Serializable {
    public Settings(
        LiveSource source, SourceTable table, boolean dryRun, int concurrency, double deletesPerWorker, DeleteHook hook,
        JdbcEndpoint ledger, String runId) {
      this(source, table, dryRun, concurrency, deletesPerWorker, hook, ledger, runId, null);
    }
  }

  private final Settings settings;
  private final int buckets;

  public DeleteVerifiedRows(Settings settings) {
    this(settings, 0);
  }

  /**
   * @param buckets when positive, the partitions are spread over that many keys: a runner that
   *     makes a bundle of each key (the DirectRunner, which prepares every bundle's step anew) then
   *     runs a few bundles of many partitions, not one per partition; 0 for a key per partition
   */
  public DeleteVerifiedRows(Settings settings, int buckets) {
    this.settings = settings;
    this.buckets = buckets;
  }

  @Override
  public PCollection<PartitionDeletion> expand(PCollection<ArchivedPartition> partitions) {
    return partitions
        .apply(
            "SpreadPartitions",
            buckets > 0 ? Reshuffle.<ArchivedPartition>viaRandomKey().withNumBuckets(buckets) : Reshuffle.viaRandomKey())
        .apply("VerifyArchiveThenDeleteUnchangedRows", ParDo.of(new VerifyThenDeleteFn(settings)))
        .setCoder(SerializableCoder.of(PartitionDeletion.class));
  }

  static final class VerifyThenDeleteFn extends DoFn<ArchivedPartition, PartitionDeletion> {
    private static final Logger LOG = LoggerFactory.getLogger(VerifyThenDeleteFn.class);

    private final Counter verified = Metrics.counter("delete", "partitionsVerified");
    private final Counter unverified = Metrics.counter("delete", "partitionsFailedVerification");
    private final Counter deleted = Metrics.counter("delete", "rowsDeleted");
    private final Counter wouldDelete = Metrics.counter("delete", "rowsWouldDelete");
    private final Counter skippedChanged = Metrics.counter("delete", "rowsSkippedChanged");
    private final Counter absent = Metrics.counter("delete", "rowsAbsent");
    private final Counter failed = Metrics.counter("delete", "rowsFailed");
    private final Counter repairing = Metrics.counter("delete", "partitionsRepairing");

    private final Settings settings;
    private transient GuardedDeleter deleter;
    private transient JdbcEndpoint.Reused ledger;

    VerifyThenDeleteFn(Settings settings) {
      this.settings = settings;
    }

    @Setup
    public void setup() {
      Stores.setOutage(settings.source().outage());
      // --maxDeletesPerSecond divided among the run's workers: one throttle per worker instance.
      deleter =
          settings.source().openDeleter(
              settings.table(), settings.hook(), settings.concurrency(), Throttle.perSecond(settings.deletesPerWorker()));
    }

    @Teardown
    public void teardown() {
      if (deleter != null) {
        deleter.close();
        deleter = null;
      }
      if (ledger != null) {
        ledger.close();
        ledger = null;
      }
    }

    @ProcessElement
    public void process(@Element ArchivedPartition p, OutputReceiver<PartitionDeletion> out)
        throws Exception {
      List<String> header = List.of(settings.table().layout().fileHeader());
      Path localDir = Path.of(System.getProperty("java.io.tmpdir"), "beam-archiver-verify");
      DeleteTally tally;
      // The object store's outages are ridden out here; past the budget the run gives up.
      try (ArchiveReader.VerifiedFile file = ArchiveReader.fetchVerified(p, header, localDir, settings.source().outage());
          FamilyArchive family = FamilyArchive.open(p, file, settings.family(), localDir, settings.source().outage())) {
        verified.inc();
        tally = deleter.delete(p, file.rows(), family.rows(), settings.dryRun(), () -> writeAhead(p));
        count(tally);
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
     * The partition's write-ahead: deletion PENDING before its first delete may land. True when an
     * earlier delete was interrupted (still PENDING): the deleter then works in repair mode.
     */
    private boolean writeAhead(ArchivedPartition p) throws Exception {
      if (ledger == null) {
        ledger = settings.ledger().reused(); // this worker's, across its partitions
      }
      boolean repair = new Deletions(ledger).markPending(p, settings.runId()) == DeletionStatus.PENDING;
      if (repair) {
        repairing.inc();
        LOG.info("partition {}: an earlier delete was interrupted; checking its rows in repair mode", p.partition());
      }
      return repair;
    }

    private void count(DeleteTally tally) {
      deleted.inc(tally.get(DeleteOutcome.DELETED));
      wouldDelete.inc(tally.get(DeleteOutcome.WOULD_DELETE));
      skippedChanged.inc(
          tally.get(DeleteOutcome.SKIPPED_CHANGED) + tally.get(DeleteOutcome.SKIPPED_NO_WRITE_TIME));
      absent.inc(tally.get(DeleteOutcome.ABSENT));
      failed.inc(tally.get(DeleteOutcome.FAILED) + tally.get(DeleteOutcome.IN_DOUBT));
    }
  }
}
