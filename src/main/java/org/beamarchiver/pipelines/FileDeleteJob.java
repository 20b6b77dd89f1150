package org.beamarchiver.pipelines;

import java.nio.file.Paths;
import java.time.Clock;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.DeletionReport;
import org.beamarchiver.options.DeleteOptions;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;
import org.beamarchiver.transforms.DeleteArchivedFiles;
import org.beamarchiver.transforms.RecordDeletion;

/**
 * The verified delete of a files table: a {@link DeleteJob} (the same run control, manifest checks,
 * report and summary as a row delete) whose work is the archived files: VerifyFileList →
 * DeleteFile per file → RecordDeletion.
 */
final class FileDeleteJob implements DeleteJob.Work {
  /** Counters shown while the delete runs and in the summary. */
  static final List<String> PROGRESS_COUNTERS =
      List.of("partitionsVerified", "partitionsFailedVerification", "filesDeleted", "filesWouldDelete",
          "filesSkippedChanged", "filesAbsent", "filesFailed", "filesRecycled");

  private final DeleteOptions options;
  private final Launch launch;
  private final SigningKey key;
  private final String recycleRoot;

  private FileDeleteJob(DeleteOptions options, Launch launch, SigningKey key, String recycleRoot) {
    this.options = options;
    this.launch = launch;
    this.key = key;
    this.recycleRoot = recycleRoot;
  }

  /** Whether the options' table spec is a files table: the delete command's one choice of pipeline. */
  static boolean servesTable(DeleteOptions options) {
    return TableSpecLoader.load(Paths.get(options.getTableSpec())).sourceKind() == TableSpec.SourceKind.files;
  }

  static DeleteSummary run(DeleteOptions options, Clock clock, Progress progress) throws Exception {
    TableSpec spec = TableSpecLoader.load(Paths.get(options.getTableSpec()));
    Launch launch = Launch.resolveFiles(options, clock, "delete", spec);
    FileArchiveRun.checkRoots(spec.files().location(), launch.archiveRoot());
    if (!launch.request().isEmpty()) {
      FileArchiveRun.checkLocation(spec); // a storage retired before the request's weeks may be gone
    }
    String recycleRoot = FileArchiveRun.recycleRoot(options.getRecycleRoot(), spec.files().location(), launch.archiveRoot());
    JobControl.Settings job =
        launch.jobSettings(options, "delete")
            .withRequestData(launch.requestData(Boolean.TRUE.equals(options.getDryRun()) ? "delete-dry-run" : "delete"));
    SigningKey key = SigningKey.resolve(options, false, progress::note);
    return DeleteJob.run(options, job, launch, key, progress, new FileDeleteJob(options, launch, key, recycleRoot));
  }

  /** The partitions to delete: only those whose ledger row a signed manifest vouches for. */
  @Override
  public DeleteRun prepare() throws Exception {
    boolean dryRun = Boolean.TRUE.equals(options.getDryRun());
    DeleteJob.Vouched vouched = DeleteJob.vouchedFor(launch, key, dryRun);
    return new DeleteRun(
        launch.runId(), launch.now(), launch.spec(), null, launch.request(), vouched.partitions(), null,
        launch.ledger(), launch.archiveRoot(), dryRun, vouched.refused());
  }

  @Override
  public String describe(DeleteRun run) {
    return "delete the archived files of " + run.spec().qualifiedTable()
        + (recycleRoot == null ? "" : ", each recycled into " + recycleRoot + " first");
  }

  /** Each file's outcome, each partition's in the ledger, one report line per partition. */
  @Override
  public Pipeline pipeline(DeleteRun run) {
    Pipeline p = Pipeline.create(options);
    String location = FileArchiveRun.location(launch.spec());
    p.apply("ArchivedPartitions", Create.of(run.partitions()).withCoder(SerializableCoder.of(ArchivedPartition.class)))
        .apply(
            "DeleteArchivedFiles",
            new DeleteArchivedFiles(
                DeleteArchivedFiles.byUuid(run.partitions()), run.spec().archiveType(), location, recycleRoot, run.dryRun(),
                run.ledger(), run.runId()))
        .apply("RecordDeletion", new RecordDeletion(run.ledger(), run.runId(), run.dryRun()))
        .apply("FormatReport", MapElements.into(TypeDescriptors.strings()).via(d -> DeletionReport.of(d).toJson()))
        .apply("WriteReport", TextIO.write().to(DeletePipeline.reportPrefix(run)).withSuffix(".jsonl").withoutSharding());
    return p;
  }

  @Override
  public List<String> progressCounters() {
    return PROGRESS_COUNTERS;
  }
}
