package org.beamarchiver.pipelines;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beamarchiver.control.JobRunner;
import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.model.DeletionReport;
import org.beamarchiver.options.DeleteOptions;
import org.beamarchiver.transforms.DeleteVerifiedRows;
import org.beamarchiver.transforms.RecordDeletion;
import org.beamarchiver.transforms.SelectArchived;
import org.beamarchiver.spec.TableSpecLoader;

/**
 * The verified delete: SelectArchived → VerifyArchive + DeleteUnchangedRows → RecordDeletion.
 * Deletes from the live table only the rows listed in an archive it has just verified, and only
 * those unchanged since they were archived. What happens around the pipeline (the lease, which
 * partitions, retries, the summary) is {@link DeleteJob}.
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

  /** Runs a delete job: of rows ({@link DeleteJob}), or of a files table's files ({@link FileDeleteJob}). */
  public static DeleteSummary run(DeleteOptions options, Clock clock, Progress progress) throws Exception {
    if (FileDeleteJob.servesTable(options)) {
      return FileDeleteJob.run(options, clock, progress);
    }
    boolean lifecycle = TableSpecLoader.loadUnit(java.nio.file.Paths.get(options.getTableSpec())).lifecycle() != null;
    if (options.getRecycleRoot() != null && lifecycle) {
      // a launch over lifecycles recycles their files; a row storage's deleted rows stay in their archive
      progress.note("--recycleRoot does not apply to the rows of " + options.getTableSpec() + ": their archive holds them");
    } else if (options.getRecycleRoot() != null) {
      throw new IllegalArgumentException(
          "--recycleRoot applies to files tables only (source.kind: files); " + options.getTableSpec()
              + " is a table of rows, whose deleted rows stay in their archive");
    }
    return run(options, clock, progress, DeleteHook.NONE);
  }

  /** Runs a delete job ({@link JobRunner}); the hook is for tests that race the delete. */
  public static DeleteSummary run(DeleteOptions options, Clock clock, Progress progress, DeleteHook hook)
      throws Exception {
    return DeleteJob.run(options, clock, progress, hook);
  }

  /** The delete's graph over the partitions a launch selected. */
  public static Pipeline create(DeleteOptions options, DeleteRun run, DeleteHook hook) throws IOException {
    Pipeline p = Pipeline.create(options);
    Stores.configure(options);

    // The archived partitions, each read back and verified, then its unchanged rows deleted.
    p.apply("SelectArchived", SelectArchived.of(run.archiveRoot(), run.runId(), run.partitions()))
        .apply(
            "DeleteVerifiedRows",
            new DeleteVerifiedRows(
                new DeleteVerifiedRows.Settings(
                    run.source(),
                    run.table(),
                    run.dryRun(),
                    options.getDeleteConcurrency(),
                    options.getMaxDeletesPerSecond() == 0 ? 0
                        : (double) options.getMaxDeletesPerSecond() / Parallelism.of(options, "--maxDeletesPerSecond"),
                    hook,
                    run.ledger(),
                    run.runId(),
                    run.family()),
                Math.max(16, 4 * Parallelism.orOne(options))))
        // Each partition's outcome in the ledger, then one report line per partition.
        .apply("RecordDeletion", new RecordDeletion(run.ledger(), run.runId(), run.dryRun()))
        .apply(
            "FormatReport",
            MapElements.into(TypeDescriptors.strings()).via(d -> DeletionReport.of(d).toJson()))
        .apply("WriteReport", TextIO.write().to(reportPrefix(run)).withSuffix(".jsonl").withoutSharding());
    return p;
  }

  static String reportPrefix(DeleteRun run) {
    return ArchivePaths.tempDir(run.archiveRoot(), run.runId()) + "delete-report";
  }
}
