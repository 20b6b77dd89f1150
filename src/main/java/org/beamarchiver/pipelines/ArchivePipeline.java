package org.beamarchiver.pipelines;

import com.datastax.driver.core.Cluster;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.beamarchiver.io.cassandra.CassandraTable;
import org.beamarchiver.io.cassandra.ReadCassandraRows;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.transforms.KeyByPartition;
import org.beamarchiver.transforms.RecordInLedger;
import org.beamarchiver.transforms.WriteDeadLetters;
import org.beamarchiver.transforms.WritePartitionFiles;

/**
 * The archive pipeline: ReadSourceRows → KeyByPartition → WritePartitionFiles → RecordInLedger,
 * with rows that cannot be keyed going to WriteDeadLetters.
 */
public final class ArchivePipeline {
  /** Counters shown while the pipeline runs and in the summary. */
  public static final List<String> PROGRESS_COUNTERS =
      List.of("rowsRead", "rowsKept", "deadLetters", "partitionsWritten", "partitionsFailed");

  private ArchivePipeline() {}

  /** Resolves the launch: spec, request, table schema, ledger state. Changes nothing but the ledger schema. */
  public static ArchiveRun prepare(ArchiveOptions options, Clock clock) throws SQLException {
    Launch launch = Launch.resolve(options, clock, "run");
    checkRange("--gzipLevel", options.getGzipLevel(), 1, 9);
    checkRange("--sortMemoryMb", options.getSortMemoryMb(), 16, 1 << 16);
    checkRange("--cassandraSplits", options.getCassandraSplits(), 0, 1 << 16);
    shuffle(options);

    CassandraTable table;
    int splits;
    try (Cluster cluster = launch.cassandra().newCluster()) {
      table = CassandraTable.resolve(cluster, launch.spec());
      splits = CassandraTable.splits(cluster, launch.spec(), options.getCassandraSplits());
    }
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    Set<PartitionKey> archived = ledger.archivedPartitions(launch.spec().archiveType(), launch.request());
    return new ArchiveRun(
        launch.runId(),
        launch.now(),
        launch.spec(),
        table,
        launch.request(),
        Set.copyOf(archived),
        launch.cassandra(),
        launch.ledger(),
        launch.archiveRoot(),
        requestData("archive", launch.spec(), launch.request(), launch.runId()),
        splits);
  }

  /** Builds the pipeline reading the live table through CassandraIO. */
  public static Pipeline create(ArchiveOptions options, ArchiveRun run) {
    return create(
        options,
        run,
        new ReadCassandraRows(run.cassandra(), run.spec(), run.table(), run.splits()));
  }

  /** Builds the pipeline over any source of rows (tests inject one; production reads Cassandra). */
  public static Pipeline create(
      ArchiveOptions options,
      ArchiveRun run,
      PTransform<PBegin, PCollection<SourceRow>> source) {
    Pipeline p = Pipeline.create(options);
    String type = run.spec().archiveType();

    PCollection<SourceRow> rows = p.apply("ReadSourceRows", source);

    PCollectionTuple keyed =
        rows.apply(
            "KeyByPartition",
            new KeyByPartition(run.table().layout(), run.request(), run.alreadyArchived()));

    keyed
        .get(KeyByPartition.KEYED)
        .apply(
            "WritePartitionFiles",
            new WritePartitionFiles(
                new WritePartitionFiles.FileSettings(
                    run.archiveRoot(),
                    type,
                    run.runId(),
                    run.startedAt().toEpochMilli(),
                    Arrays.asList(run.table().layout().fileHeader()),
                    options.getGzipLevel(),
                    options.getSortMemoryMb(),
                    shuffle(options))))
        .apply(
            "RecordInLedger",
            new RecordInLedger(run.ledger(), type, run.runId(), run.startedAt(), run.requestData()));

    keyed
        .get(KeyByPartition.DEAD_LETTER)
        .apply(
            "WriteDeadLetters",
            new WriteDeadLetters(
                ArchivePaths.deadLetterPrefix(run.archiveRoot(), type, run.runId()),
                run.table().layout().fileHeader()));
    return p;
  }

  /** Prepares, runs with progress lines, and summarises from the ledger. */
  public static ArchiveSummary run(ArchiveOptions options, Clock clock, Progress progress)
      throws SQLException, IOException {
    ArchiveRun run = prepare(options, clock);
    run.request().notes().forEach(progress::note);
    progress.note(
        "archive "
            + run.spec().qualifiedTable()
            + " "
            + run.request().describe()
            + " splits="
            + run.splits());
    if (!run.alreadyArchived().isEmpty()) {
      progress.note(
          run.alreadyArchived().size()
              + " partition(s) of this request are already archived (SUCCESS) and are skipped");
    }
    if (run.request().isEmpty()) {
      return new ArchiveSummary(run, List.of(), Map.of(), null);
    }
    FileSystems.setDefaultPipelineOptions(options);
    Map<String, Long> counters = Execution.runWithProgress(create(options, run), PROGRESS_COUNTERS, progress);
    Stores.deleteTempDir(ArchivePaths.tempDir(run.archiveRoot(), run.runId()));
    return new ArchiveSummary(
        run,
        new Ledger(run.ledger()).rowsOfRun(run.runId()),
        counters,
        ArchivePaths.deadLetterPrefix(run.archiveRoot(), run.spec().archiveType(), run.runId())
            + ".csv");
  }

  /** The shuffle strategy the options ask for, AUTO resolved by runner. */
  static WritePartitionFiles.Shuffle shuffle(ArchiveOptions options) {
    String s = options.getShuffle() == null ? "AUTO" : options.getShuffle().trim().toUpperCase(java.util.Locale.ROOT);
    switch (s) {
      case "RUNNER":
        return WritePartitionFiles.Shuffle.RUNNER;
      case "SPILL":
        return WritePartitionFiles.Shuffle.SPILL;
      case "AUTO":
        return options.getRunner().getSimpleName().equals("DirectRunner")
            ? WritePartitionFiles.Shuffle.SPILL
            : WritePartitionFiles.Shuffle.RUNNER;
      default:
        throw new IllegalArgumentException(
            "--shuffle=" + options.getShuffle() + " is not valid; allowed: AUTO, RUNNER, SPILL");
    }
  }

  static String requestData(String action, TableSpec spec, ArchiveRequest r, String runId) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode n = json.createObjectNode();
    n.put("action", action);
    n.put("table", spec.qualifiedTable());
    n.put("period", r.period().name());
    r.weeks().ifPresent(w -> n.put("weeks", w));
    r.date().ifPresent(d -> n.put("date", d.toString()));
    n.put("asOf", r.asOf().toString());
    n.putPOJO("batchIds", r.batchIds());
    n.put("runId", runId);
    try {
      return json.writeValueAsString(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void checkRange(String option, Integer value, int min, int max) {
    if (value == null || value < min || value > max) {
      throw new IllegalArgumentException(
          option + "=" + value + " is out of range; allowed " + min + ".." + max);
    }
  }
}
