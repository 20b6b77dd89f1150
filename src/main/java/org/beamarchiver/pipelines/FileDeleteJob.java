package org.beamarchiver.pipelines;

import java.io.IOException;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.control.JobRunner;
import org.beamarchiver.control.Reconcile;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.DeletionReport;
import org.beamarchiver.options.DeleteOptions;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;
import org.beamarchiver.transforms.DeleteArchivedFiles;
import org.beamarchiver.transforms.RecordDeletion;

/**
 * The verified delete of a files table ({@link JobRunner}): under the table's lease, the archived
 * partitions of the request not yet deleted, each checked against its signed manifest (the others
 * refused and marked); the pipeline (VerifyFileList → DeleteFile per file → RecordDeletion) over
 * them, each retry resuming with the partitions not yet deleted; the report of every partition.
 */
final class FileDeleteJob implements JobRunner.Job<DeleteSummary> {
  private final DeleteOptions options;
  private final Launch launch;
  private final SigningKey key;
  private final Progress progress;
  private final List<DeletionReport> report = new ArrayList<>();
  private DeleteRun current;

  private FileDeleteJob(DeleteOptions options, Launch launch, SigningKey key, Progress progress) {
    this.options = options;
    this.launch = launch;
    this.key = key;
    this.progress = progress;
  }

  /** Whether the options' table spec is a files table: the delete command's one choice of pipeline. */
  static boolean servesTable(DeleteOptions options) {
    return TableSpecLoader.load(Paths.get(options.getTableSpec())).sourceKind() == TableSpec.SourceKind.files;
  }

  static DeleteSummary run(DeleteOptions options, Clock clock, Progress progress) throws Exception {
    TableSpec spec = TableSpecLoader.load(Paths.get(options.getTableSpec()));
    Launch launch = Launch.resolveFiles(options, clock, "delete", spec);
    FileArchiveRun.checkRoots(spec.files().location(), launch.archiveRoot());
    JobControl.Settings job =
        launch.jobSettings(options, "delete")
            .withRequestData(launch.requestData(Boolean.TRUE.equals(options.getDryRun()) ? "delete-dry-run" : "delete"));
    SigningKey key = SigningKey.resolve(options, false, progress::note);
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    return JobRunner.run(
        job,
        new Reconcile(ledger, spec.archiveType(), launch.archiveRoot(), progress::note),
        progress::note,
        new FileDeleteJob(options, launch, key, progress));
  }

  /** The partitions to delete: only those whose ledger row a signed manifest vouches for. */
  private DeleteRun prepareRun() throws Exception {
    boolean dryRun = Boolean.TRUE.equals(options.getDryRun());
    DeleteJob.Vouched vouched = DeleteJob.vouchedFor(launch, key, dryRun);
    return new DeleteRun(
        launch.runId(), launch.now(), launch.spec(), null, launch.request(), vouched.partitions(), null,
        launch.ledger(), launch.archiveRoot(), dryRun, vouched.refused());
  }

  /** The pipeline over the run's partitions: each file's outcome, each partition's in the ledger, one report line each. */
  private Pipeline pipeline(DeleteRun run) {
    Pipeline p = Pipeline.create(options);
    String location = new FileArchiveRun(launch, 0, FileArchiveRun.STORAGE, Map.of(), java.util.Set.of()).location();
    p.apply("ArchivedPartitions", Create.of(run.partitions()).withCoder(SerializableCoder.of(ArchivedPartition.class)))
        .apply(
            "DeleteArchivedFiles",
            new DeleteArchivedFiles(DeleteArchivedFiles.byUuid(run.partitions()), location, run.dryRun(), run.ledger(), run.runId()))
        .apply("RecordDeletion", new RecordDeletion(run.ledger(), run.runId(), run.dryRun()))
        .apply("FormatReport", MapElements.into(TypeDescriptors.strings()).via(d -> DeletionReport.of(d).toJson()))
        .apply("WriteReport", TextIO.write().to(DeletePipeline.reportPrefix(run)).withSuffix(".jsonl").withoutSharding());
    return p;
  }

  /** Counters shown while the delete runs and in the summary. */
  static final List<String> PROGRESS_COUNTERS =
      List.of("partitionsVerified", "partitionsFailedVerification", "filesDeleted", "filesWouldDelete",
          "filesSkippedChanged", "filesAbsent", "filesFailed");

  @Override
  public void open() {
    Stores.configure(options);
  }

  @Override
  public void prepare() throws Exception {
    current = prepareRun();
    current.request().notes().forEach(progress::note);
    progress.note(
        (current.dryRun() ? "DRY RUN (nothing is deleted): " : "")
            + "delete the archived files of " + launch.spec().qualifiedTable() + " " + current.request().describe() + ": "
            + current.partitions().size() + " archived partition(s) not yet deleted"
            + (current.refused().isEmpty()
                ? " (manifest signatures checked with key " + key.id() + ")"
                : ", " + current.refused().size() + " more refused (archive not verified)"));
    for (DeletionReport r : current.refused()) {
      progress.note("refused " + r.batchId() + " " + r.period() + ": " + r.error());
    }
  }

  @Override
  public boolean hasWork() {
    return !current.partitions().isEmpty();
  }

  @Override
  public JobState workState() {
    return JobState.DELETING;
  }

  @Override
  public Map<String, Long> attempt(int attempt) throws Exception {
    if (attempt > 1) {
      current = prepareRun();
    }
    if (current.partitions().isEmpty()) {
      return Map.of();
    }
    Map<String, Long> c = Execution.runWithProgress(pipeline(current), PROGRESS_COUNTERS, progress);
    report.addAll(DeleteJob.readReport(DeletePipeline.reportPrefix(current) + ".jsonl"));
    return c;
  }

  @Override
  public DeleteSummary summarize(Map<String, Long> counters) {
    report.addAll(current.refused());
    report.sort(Comparator.comparing(DeletionReport::batchId).thenComparing(DeletionReport::period));
    return new DeleteSummary(current, report, counters);
  }

  @Override
  public JobRunner.Counts counts(DeleteSummary summary) {
    int failed = (int) summary.failedPartitions();
    return new JobRunner.Counts(report.size() - failed, failed, 0);
  }

  @Override
  public void cleanUp() throws IOException {
    Stores.deleteTempDir(ArchivePaths.tempDir(launch.archiveRoot(), launch.runId()));
  }
}
