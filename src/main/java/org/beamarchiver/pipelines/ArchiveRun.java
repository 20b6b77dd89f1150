package org.beamarchiver.pipelines;

import org.beamarchiver.ledger.ArchiveStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.beamarchiver.control.RefusedException;
import org.beamarchiver.control.RunFile;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.ArchiveFormat;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.options.Checks;
import java.time.Instant;
import java.util.Set;
import org.beamarchiver.io.source.LiveSource;
import org.beamarchiver.io.source.ReadPlan;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.spec.TableSpec;

/**
 * Everything an archive launch resolved before the pipeline starts: the table, the request, which
 * of its partitions are left alone and why, and the run's identity.
 *
 * @param runEpochMillis the time in the names of the objects the run writes (a plan fixes it)
 * @param alreadyArchived partitions archived with SUCCESS, skipped (empty when forcing)
 * @param exhausted partitions that FAILED --maxIterations times, skipped (empty when forcing)
 * @param only when executing a plan, its partitions; null otherwise
 * @param force whether SUCCESS partitions are re-archived and their old archives superseded
 * @param source the live store
 * @param read the table as resolved for the read, and the read's slices
 */
public record ArchiveRun(
    String runId,
    Instant startedAt,
    long runEpochMillis,
    TableSpec spec,
    ArchiveRequest request,
    Set<PartitionKey> alreadyArchived,
    Set<PartitionKey> exhausted,
    Set<PartitionKey> only,
    boolean force,
    LiveSource source,
    ReadPlan read,
    JdbcEndpoint ledger,
    String archiveRoot,
    String requestData) {

  /** The live table, resolved against the spec. */
  public SourceTable table() {
    return read.table();
  }

  /** Partitions whose rows the run drops: already archived, or failed too often. */
  public Set<PartitionKey> skipped() {
    Set<PartitionKey> s = new java.util.HashSet<>(alreadyArchived);
    s.addAll(exhausted);
    return s;
  }

  /**
   * Resolves what the run will do from the ledger's present state: which partitions are skipped
   * (SUCCESS, or failed --maxIterations times) and, when forcing, refuses partitions whose rows
   * were already deleted. Called under the table's lease, and again before each retry.
   */
  static ArchiveRun prepare(
      ArchiveOptions options, Launch launch, long runEpochMillis, RunFile plan, Progress progress)
      throws Exception {
    validate(options);
    boolean force = Boolean.TRUE.equals(options.getForceArchival());

    ReadPlan read = launch.source().planRead(launch.request());
    Ledger ledger = new Ledger(launch.ledger());
    String type = launch.spec().archiveType();
    Set<PartitionKey> only = plan == null ? null : planned(plan);
    Set<PartitionKey> archived = new HashSet<>();
    Set<PartitionKey> exhausted = new HashSet<>();
    List<String> refused = new ArrayList<>();
    for (Map.Entry<PartitionKey, LedgerRow> e : ledger.archives().partitionRows(type, launch.request()).entrySet()) {
      LedgerRow r = e.getValue();
      if (only != null && !only.contains(e.getKey())) {
        continue;
      }
      if (r.archived()) {
        if (!force) {
          archived.add(e.getKey());
        } else if (r.deletionStatus() != null) {
          refused.add(r.batchId() + " " + r.period() + " (delete " + r.deletionStatus() + " on " + r.deletionDate() + ")");
        }
      } else if (r.archivalStatus() == ArchiveStatus.FAILED
          && r.iteration() >= options.getMaxIterations()
          && !force) {
        exhausted.add(e.getKey());
      }
    }
    if (!refused.isEmpty()) {
      throw new RefusedException(
          "--forceArchival refused: the rows of " + refused.size() + " partition(s) were already deleted"
              + " from the source, so re-reading them would replace a good archive with an empty or"
              + " partial one: " + String.join(", ", refused)
              + ". Nothing was changed. Narrow --batchIds/--period to partitions not yet deleted"
              + " (restore them first to re-archive).");
    }
    if (!exhausted.isEmpty()) {
      progress.note(
          exhausted.size() + " partition(s) failed " + options.getMaxIterations()
              + " times (--maxIterations) and are skipped; --forceArchival retries them: "
              + exhausted.stream().map(PartitionKey::toString).sorted().limit(20).toList());
    }
    return new ArchiveRun(
        launch.runId(),
        launch.now(),
        runEpochMillis,
        launch.spec(),
        launch.request(),
        Set.copyOf(archived),
        Set.copyOf(exhausted),
        only,
        force,
        launch.source(),
        read,
        launch.ledger(),
        launch.archiveRoot(),
        launch.requestData("archive"));
  }

  /** Checks the archive's own options before anything is touched; messages name the option. */
  static void validate(ArchiveOptions options) {
    Checks.range("--gzipLevel", options.getGzipLevel(), 1, 9);
    Checks.range("--sortMemoryMb", options.getSortMemoryMb(), 16, 1 << 16);
    Checks.range("--maxIterations", options.getMaxIterations(), 1, 1000);
    Checks.range("--maxReadsPerSecond", options.getMaxReadsPerSecond(), 0, 1_000_000_000);
    GraphShape.shuffle(options.getShuffle(), options.getRunner());
    ArchivePipeline.readsPerWorker(options);
    if (options.getFormat() != null) {
      ArchiveFormat.parse(options.getFormat(), "--format");
    }
  }

  /** The format of the run's files: --format when given, else the table spec's. */
  static ArchiveFormat format(ArchiveOptions options, TableSpec spec) {
    return options.getFormat() != null ? ArchiveFormat.parse(options.getFormat(), "--format") : spec.format();
  }

  private static Set<PartitionKey> planned(RunFile plan) {
    Set<PartitionKey> out = new HashSet<>();
    for (RunFile.Partition p : plan.partitions()) {
      out.add(PartitionKey.of(p.batchId(), IsoWeek.parse(p.period())));
    }
    return out;
  }

}
