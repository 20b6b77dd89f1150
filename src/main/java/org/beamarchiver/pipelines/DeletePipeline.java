package org.beamarchiver.pipelines;

import com.datastax.driver.core.Cluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beamarchiver.io.cassandra.CassandraTable;
import org.beamarchiver.io.cassandra.GuardedDelete;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.DeletionReport;
import org.beamarchiver.options.DeleteOptions;
import org.beamarchiver.transforms.DeleteVerifiedRows;
import org.beamarchiver.transforms.RecordDeletion;

/**
 * The verified delete: SelectArchived → VerifyArchive + DeleteUnchangedRows → RecordDeletion.
 * Deletes from the live table only the rows listed in an archive it has just verified, and only
 * those unchanged since they were archived.
 */
public final class DeletePipeline {
  public static final List<String> PROGRESS_COUNTERS =
      List.of(
          "partitionsVerified",
          "partitionsFailedVerification",
          "rowsDeleted",
          "rowsWouldDelete",
          "rowsSkippedChanged",
          "rowsAbsent",
          "rowsFailed");

  private DeletePipeline() {}

  /** Resolves the launch: SelectArchived runs here, against the ledger. */
  public static DeleteRun prepare(DeleteOptions options, Clock clock) throws SQLException {
    Launch launch = Launch.resolve(options, clock, "delete");
    if (options.getMaxDeletesPerSecond() == null || options.getMaxDeletesPerSecond() < 0) {
      throw new IllegalArgumentException(
          "--maxDeletesPerSecond=" + options.getMaxDeletesPerSecond() + " must be 0 (no limit) or more");
    }
    if (options.getDeleteConcurrency() == null || options.getDeleteConcurrency() < 1) {
      throw new IllegalArgumentException(
          "--deleteConcurrency=" + options.getDeleteConcurrency() + " must be 1 or more");
    }
    CassandraTable table;
    try (Cluster cluster = launch.cassandra().newCluster()) {
      table = CassandraTable.resolve(cluster, launch.spec());
    }
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    List<ArchivedPartition> partitions =
        ledger.partitionsToDelete(launch.spec().archiveType(), launch.request());
    return new DeleteRun(
        launch.runId(),
        launch.now(),
        launch.spec(),
        table,
        launch.request(),
        List.copyOf(partitions),
        launch.cassandra(),
        launch.ledger(),
        launch.archiveRoot(),
        Boolean.TRUE.equals(options.getDryRun()));
  }

  public static Pipeline create(DeleteOptions options, DeleteRun run, GuardedDelete.Hook hook) {
    Pipeline p = Pipeline.create(options);
    p.apply(
            "SelectArchived",
            Create.of(run.partitions()).withCoder(SerializableCoder.of(ArchivedPartition.class)))
        .apply(
            "DeleteVerifiedRows",
            new DeleteVerifiedRows(
                new DeleteVerifiedRows.Settings(
                    run.cassandra(),
                    run.spec(),
                    run.table(),
                    run.dryRun(),
                    options.getDeleteConcurrency(),
                    options.getMaxDeletesPerSecond(),
                    hook)))
        .apply("RecordDeletion", new RecordDeletion(run.ledger(), run.runId(), run.dryRun()))
        .apply(
            "FormatReport",
            MapElements.into(TypeDescriptors.strings()).via(d -> DeletionReport.of(d).toJson()))
        .apply("WriteReport", TextIO.write().to(reportPrefix(run)).withSuffix(".jsonl").withoutSharding());
    return p;
  }

  private static String reportPrefix(DeleteRun run) {
    return ArchivePaths.tempDir(run.archiveRoot(), run.runId()) + "delete-report";
  }

  public static DeleteSummary run(DeleteOptions options, Clock clock, Progress progress)
      throws SQLException, IOException {
    return run(options, clock, progress, GuardedDelete.Hook.NONE);
  }

  /** Prepares, runs with progress, summarises; the hook is for tests that race the delete. */
  public static DeleteSummary run(
      DeleteOptions options, Clock clock, Progress progress, GuardedDelete.Hook hook)
      throws SQLException, IOException {
    DeleteRun run = prepare(options, clock);
    run.request().notes().forEach(progress::note);
    progress.note(
        (run.dryRun() ? "DRY RUN (nothing is deleted): " : "")
            + "delete from "
            + run.spec().qualifiedTable()
            + " "
            + run.request().describe()
            + ": "
            + run.partitions().size()
            + " archived partition(s) not yet deleted");
    if (run.partitions().isEmpty()) {
      return new DeleteSummary(run, List.of(), Map.of());
    }
    FileSystems.setDefaultPipelineOptions(options);
    Map<String, Long> counters =
        Execution.runWithProgress(create(options, run, hook), PROGRESS_COUNTERS, progress);
    List<DeletionReport> report = readReport(reportPrefix(run) + ".jsonl");
    Stores.deleteTempDir(ArchivePaths.tempDir(run.archiveRoot(), run.runId()));
    return new DeleteSummary(run, report, counters);
  }

  private static List<DeletionReport> readReport(String path) throws IOException {
    List<DeletionReport> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false))),
                StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          out.add(DeletionReport.fromJson(line));
        }
      }
    }
    out.sort(Comparator.comparing(DeletionReport::batchId).thenComparing(DeletionReport::period));
    return out;
  }
}
