package org.beamarchiver.pipelines;

import org.beamarchiver.ledger.Deletion;
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
import java.util.Optional;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.control.Reconcile;
import org.beamarchiver.integrity.ArchiveVerifier;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.io.cassandra.CassandraTable;
import org.beamarchiver.io.cassandra.GuardConsistency;
import org.beamarchiver.io.cassandra.GuardedDelete;
import org.beamarchiver.io.jdbc.JdbcTable;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.DeletionReport;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.options.DeleteOptions;
import org.beamarchiver.transforms.DeleteVerifiedRows;
import org.beamarchiver.transforms.RecordDeletion;
import org.beamarchiver.transforms.SelectArchived;

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

  /** SelectArchived: the partitions to delete, read from the ledger under the table's lease. */
  /** Checks the delete's own options before anything is touched; messages name the option. */
  static void validate(DeleteOptions options) {
    if (options.getMaxDeletesPerSecond() == null || options.getMaxDeletesPerSecond() < 0) {
      throw new IllegalArgumentException(
          "--maxDeletesPerSecond=" + options.getMaxDeletesPerSecond() + " must be 0 (no limit) or more");
    }
    if (options.getMaxDeletesPerSecond() > 0) {
      Parallelism.of(options, "--maxDeletesPerSecond");
    }
    if (options.getDeleteConcurrency() == null || options.getDeleteConcurrency() < 1) {
      throw new IllegalArgumentException(
          "--deleteConcurrency=" + options.getDeleteConcurrency() + " must be 1 or more");
    }
  }

  static DeleteRun prepare(DeleteOptions options, Launch launch, SigningKey key) throws SQLException {
    SourceTable table;
    if (launch.jdbcSource() != null) {
      try (java.sql.Connection c = launch.jdbcSource().open()) {
        table = JdbcTable.resolve(c, launch.spec());
      }
    } else {
      try (Cluster cluster = launch.cassandra().newCluster()) {
        table = CassandraTable.resolve(cluster, launch.spec());
      }
    }
    Ledger ledger = new Ledger(launch.ledger());
    String type = launch.spec().archiveType();
    boolean dryRun = Boolean.TRUE.equals(options.getDryRun());
    // Only partitions whose ledger row a signed manifest vouches for go on to the delete (which
    // then checks the object against that row); the others are refused and marked.
    Map<String, LedgerRow> rows = new HashMap<>();
    ledger.archives().partitionRows(type, launch.request()).values().forEach(r -> rows.put(r.uuid(), r));
    ArchiveVerifier verifier = new ArchiveVerifier(key);
    List<ArchivedPartition> partitions = new ArrayList<>();
    List<DeletionReport> refused = new ArrayList<>();
    for (ArchivedPartition p : ledger.deletions().partitionsToDelete(type, launch.request())) {
      Optional<ArchiveVerifier.Verdict> bad = verifier.checkManifest(rows.get(p.uuid()));
      if (bad.isEmpty()) {
        partitions.add(p);
        continue;
      }
      String why = "refused, archive not verified: " + bad.get().describe();
      refused.add(
          new DeletionReport(
              p.uuid(), p.partition().batchId(), p.partition().period(), p.blobUrl(), false, "FAILED", why,
              p.rowCount(), 0, 0, 0, 0, 0));
      if (!dryRun) {
        ledger.verifications().record(p.uuid(), bad.get().describe());
        ledger.deletions().record("record the refusal of " + p.partition(), Deletion.refused(p.uuid(), why, launch.runId()));
      }
    }
    return new DeleteRun(
        launch.runId(),
        launch.now(),
        launch.spec(),
        table,
        launch.request(),
        List.copyOf(partitions),
        launch.cassandra(),
        launch.jdbcSource(),
        launch.ledger(),
        launch.archiveRoot(),
        dryRun,
        List.copyOf(refused));
  }

  public static Pipeline create(DeleteOptions options, DeleteRun run, GuardedDelete.Hook hook) throws IOException {
    Pipeline p = Pipeline.create(options);
    Stores.configure(options);
    p.apply("SelectArchived", SelectArchived.of(run.archiveRoot(), run.runId(), run.partitions()))
        .apply(
            "DeleteVerifiedRows",
            new DeleteVerifiedRows(
                new DeleteVerifiedRows.Settings(
                    run.cassandra(),
                    run.jdbcSource(),
                    run.spec(),
                    run.table(),
                    run.dryRun(),
                    options.getDeleteConcurrency(),
                    options.getMaxDeletesPerSecond() == 0 ? 0
                        : (double) options.getMaxDeletesPerSecond() / Parallelism.of(options, "--maxDeletesPerSecond"),
                    hook,
                    run.ledger(),
                    run.runId())))
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
      throws Exception {
    return run(options, clock, progress, GuardedDelete.Hook.NONE);
  }

  /**
   * Runs a delete job under run control (the table's lease, job states, retries of recoverable
   * errors, each retry resuming with the partitions not yet deleted); the hook is for tests that
   * race the delete.
   */
  public static DeleteSummary run(
      DeleteOptions options, Clock clock, Progress progress, GuardedDelete.Hook hook)
      throws Exception {
    Launch launch = Launch.resolve(options, clock, "delete");
    validate(options);
    if (launch.jdbcSource() == null) {
      // Before the job is recorded or anything read: a consistency that would void the guard is refused.
      GuardConsistency.check(launch.cassandra(), launch.spec().keyspace(), "delete").forEach(progress::note);
    }
    ArchivePipeline.controlSettings(options, launch, "delete", null);
    SigningKey key = SigningKey.resolve(options, false, progress::note);
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    String requestData =
        ArchivePipeline.requestData(
            Boolean.TRUE.equals(options.getDryRun()) ? "delete-dry-run" : "delete",
            launch.spec(), launch.request(), launch.runId());
    try (JobControl job =
        JobControl.start(ArchivePipeline.controlSettings(options, launch, "delete", requestData), progress::note)) {
      try {
        Stores.configure(options);
        new Reconcile(ledger, launch.spec().archiveType(), launch.archiveRoot(), progress::note)
            .afterDeadRuns(launch.runId(), job.abandonedJobs());
        DeleteRun first = prepare(options, launch, key);
        first.request().notes().forEach(progress::note);
        progress.note(
            (first.dryRun() ? "DRY RUN (nothing is deleted): " : "")
                + "delete from "
                + first.spec().qualifiedTable()
                + " "
                + first.request().describe()
                + ": "
                + first.partitions().size()
                + " archived partition(s) not yet deleted"
                + (first.refused().isEmpty()
                    ? " (manifest signatures checked with key " + key.id() + ")"
                    : ", " + first.refused().size() + " more refused (archive not verified)"));
        for (DeletionReport r : first.refused()) {
          progress.note("refused " + r.batchId() + " " + r.period() + ": " + r.error());
        }
        DeleteRun[] current = {first};
        Map<String, Long> counters = Map.of();
        List<DeletionReport> report = new ArrayList<>();
        if (!first.partitions().isEmpty()) {
          counters =
              job.attempt(
                  JobState.DELETING,
                  attempt -> {
                    if (attempt > 1) {
                      current[0] = prepare(options, launch, key);
                    }
                    if (current[0].partitions().isEmpty()) {
                      return Map.<String, Long>of();
                    }
                    Map<String, Long> c =
                        Execution.runWithProgress(create(options, current[0], hook), PROGRESS_COUNTERS, progress);
                    report.addAll(readReport(reportPrefix(current[0]) + ".jsonl"));
                    return c;
                  });
        }
        report.addAll(current[0].refused());
        job.to(JobState.POST_PROCESSING, null);
        job.to(JobState.STORING, null);
        report.sort(Comparator.comparing(DeletionReport::batchId).thenComparing(DeletionReport::period));
        DeleteSummary summary = new DeleteSummary(current[0], report, counters);
        int failed = (int) summary.failedPartitions();
        job.to(JobState.CLEANUP, null);
        Stores.deleteTempDir(ArchivePaths.tempDir(launch.archiveRoot(), launch.runId()));
        job.complete(report.size() - failed, failed, 0);
        return summary;
      } catch (Exception e) {
        throw job.fail(e, () -> Stores.deleteTempDir(ArchivePaths.tempDir(launch.archiveRoot(), launch.runId())));
      }
    }
  }

  private static List<DeletionReport> readReport(String path) throws IOException {
    // Read again from the start if the store fails part way.
    List<DeletionReport> out =
        Stores.outage().call(
            "read " + path,
            () -> {
              List<DeletionReport> read = new ArrayList<>();
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(
                          Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false))),
                          StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (!line.isBlank()) {
                    read.add(DeletionReport.fromJson(line));
                  }
                }
              }
              return read;
            });
    out.sort(Comparator.comparing(DeletionReport::batchId).thenComparing(DeletionReport::period));
    return out;
  }
}
