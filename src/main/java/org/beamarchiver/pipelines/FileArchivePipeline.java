package org.beamarchiver.pipelines;

import java.nio.file.Paths;
import java.time.Clock;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.spec.FileSourceSpec;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;
import org.beamarchiver.transforms.CopyFiles;
import org.beamarchiver.transforms.DateFiles;
import org.beamarchiver.transforms.PlanFileCopies;
import org.beamarchiver.transforms.RecordInLedger;
import org.beamarchiver.transforms.WriteDeadLetters;
import org.beamarchiver.transforms.WriteFileLists;

/**
 * The archive pipeline of a files table: MatchFiles → DateFiles → GroupFilesByPartition →
 * PlanFileCopies → CopyFiles → WriteFileLists → RecordInLedger, with files that have no usable date
 * or name going to WriteDeadLetters. What happens around it (the lease, retries, the post-run
 * checks and the manifest) is {@link FileArchiveJob}.
 */
public final class FileArchivePipeline {
  /** Counters shown while the pipeline runs and in the summary. */
  public static final List<String> PROGRESS_COUNTERS =
      List.of("filesListed", "filesCopied", "bytesCopied", "deadLetters", "partitionsWritten", "partitionsFailed");

  private FileArchivePipeline() {}

  /** Whether the options' table spec is a files table: the archive command's one choice of pipeline. */
  public static boolean servesTable(ArchiveOptions options) {
    return TableSpecLoader.load(Paths.get(options.getTableSpec())).sourceKind() == TableSpec.SourceKind.files;
  }

  /** Runs an archive job of a files table ({@link FileArchiveJob}). */
  public static FileArchiveSummary run(ArchiveOptions options, Clock clock, Progress progress) throws Exception {
    return FileArchiveJob.run(options, clock, progress);
  }

  public static Pipeline create(ArchiveOptions options, FileArchiveRun run) {
    Pipeline p = Pipeline.create(options);
    Launch launch = run.launch();
    String root = launch.archiveRoot();
    String type = launch.spec().archiveType();
    FileSourceSpec files = new FileSourceSpec(run.location(), launch.spec().files().partitionDate());
    // A partition is written again only when a file appeared in it (PlanFileCopies): its new,
    // self-contained iteration then supersedes the earlier one, as a forced re-archive of rows does.
    RecordInLedger record =
        new RecordInLedger(launch.ledger(), type, launch.runId(), launch.now(), launch.requestData("archive"), true);

    // Every file under the location, dated and keyed by partition; files without a usable date or
    // name are dead letters.
    PCollectionTuple dated =
        p.apply(
                "MatchFiles",
                FileIO.match().filepattern(files.location() + "/**").withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW))
            .apply("DateFiles", new DateFiles(files, run.storage(), launch.request(), run.exhausted()));

    // Per partition: what to copy (all of a new one; an archived one only when a file appeared),
    // each file copied on its own, then the partition's file list written and recorded.
    dated
        .get(DateFiles.DATED)
        .apply("GroupFilesByPartition", GroupByKey.create())
        .apply(
            "PlanFileCopies",
            new PlanFileCopies(run.archivedLists(), root, type, run.runEpochMillis(), record.writeAhead()))
        .apply("CopyFiles", new CopyFiles(root, type, run.runEpochMillis()))
        .apply("WriteFileLists", new WriteFileLists(root, type, files.location(), run.runEpochMillis()))
        .apply("RecordInLedger", record);

    dated
        .get(DateFiles.DEAD_LETTER)
        .apply(
            "WriteDeadLetters",
            new WriteDeadLetters(ArchivePaths.deadLetterPrefix(root, type, launch.runId()), new String[] {"file"}));
    return p;
  }
}
