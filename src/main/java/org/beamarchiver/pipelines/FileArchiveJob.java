package org.beamarchiver.pipelines;

import java.io.IOException;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.control.JobRunner;
import org.beamarchiver.control.Reconcile;
import org.beamarchiver.integrity.ManifestSigner;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.io.files.FileLists;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;
import org.beamarchiver.retry.Crash;

/**
 * An archive job of a files table ({@link JobRunner}): under the table's lease, the archived
 * partitions of the request resolved from the ledger, the {@link FileArchivePipeline} (each retry
 * resuming: a partition archived by an earlier attempt is up to date), then every file list the
 * run recorded checked and its manifest signed.
 */
final class FileArchiveJob implements JobRunner.Job<FileArchiveSummary> {
  private final ArchiveOptions options;
  private final Launch launch;
  private final SigningKey key;
  private final Ledger ledger;
  private final Reconcile reconcile;
  private final Progress progress;
  private FileArchiveRun run;
  private List<LedgerRow> rows;

  private FileArchiveJob(
      ArchiveOptions options, Launch launch, SigningKey key, Ledger ledger, Reconcile reconcile, Progress progress) {
    this.options = options;
    this.launch = launch;
    this.key = key;
    this.ledger = ledger;
    this.reconcile = reconcile;
    this.progress = progress;
  }

  static FileArchiveSummary run(ArchiveOptions options, Clock clock, Progress progress) throws Exception {
    TableSpec spec = TableSpecLoader.load(Paths.get(options.getTableSpec()));
    refuseRowOptions(options);
    Launch launch = Launch.resolveFiles(options, clock, "run", spec);
    FileArchiveRun.checkRoots(spec.files().location(), launch.archiveRoot());
    if (!launch.request().isEmpty()) {
      FileArchiveRun.checkLocation(spec); // a storage retired before the request's weeks may be gone
    }
    org.beamarchiver.options.Checks.range("--maxIterations", options.getMaxIterations(), 1, 1000);
    JobControl.Settings settings = launch.jobSettings(options, "archive").withRequestData(launch.requestData("archive"));
    SigningKey key = SigningKey.resolve(options, true, progress::note);
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    Reconcile reconcile = new Reconcile(ledger, spec.archiveType(), launch.archiveRoot(), progress::note);
    return JobRunner.run(settings, reconcile, progress::note, new FileArchiveJob(options, launch, key, ledger, reconcile, progress));
  }

  /** Options of row archives that a files archive does not take yet: refused, naming them, before anything changes. */
  private static void refuseRowOptions(ArchiveOptions options) {
    if (options.getPlan() != null) {
      throw new IllegalArgumentException("--plan: a files table's archive does not execute plans yet; run it without --plan");
    }
    if (Boolean.TRUE.equals(options.getForceArchival())) {
      throw new IllegalArgumentException(
          "--forceArchival: a files table's archived partitions are archived again by themselves when a file"
              + " appears in them; --forceArchival is for row tables");
    }
    if (options.getFormat() != null) {
      throw new IllegalArgumentException("--format: a files table's files are copied as they are; --format is for row tables");
    }
  }

  @Override
  public void open() {
    Stores.configure(options);
  }

  @Override
  public void prepare() throws Exception {
    run = FileArchiveRun.prepare(options, launch, launch.now().toEpochMilli());
    launch.request().notes().forEach(progress::note);
    progress.note(
        "archive the files of " + run.location() + " " + launch.request().describe()
            + (run.archivedLists().isEmpty()
                ? ""
                : " (" + run.archivedLists().size() + " partition(s) already archived: archived again only where a file appeared)"));
  }

  @Override
  public boolean hasWork() {
    return !launch.request().isEmpty();
  }

  @Override
  public JobState workState() {
    return JobState.ARCHIVING;
  }

  @Override
  public Map<String, Long> attempt(int attempt) throws Exception {
    if (attempt > 1) {
      // partitions an earlier attempt archived are now up to date: the retry resumes
      run = FileArchiveRun.prepare(options, launch, run.runEpochMillis());
    }
    return Execution.runWithProgress(
        FileArchivePipeline.create(options, run), FileArchivePipeline.PROGRESS_COUNTERS, progress);
  }

  @Override
  public String postProcessing() {
    return "checking the file lists this run recorded, signing its manifest";
  }

  @Override
  public void postProcess() throws Exception {
    Reconcile.Outcome post = reconcile.afterRun(launch.runId());
    if (post.objectsBad() > 0) {
      progress.note(post.objectsBad() + " recorded file list(s) failed the post-run check and were marked FAILED");
    }
    Crash.point("signing");
    ManifestSigner.Result signed =
        ManifestSigner.sign(
            ledger, launch.spec().archiveType(), launch.spec().qualifiedTable(), FileLists.HEADER, FileLists.TYPES,
            launch.archiveRoot(), launch.runId(), key, progress::note);
    if (signed.manifest() != null) {
      progress.note("manifest: " + signed.manifest() + " (" + signed.files() + " file list(s), signed with key " + key.id() + ")");
    }
  }

  @Override
  public FileArchiveSummary summarize(Map<String, Long> counters) throws Exception {
    rows = ledger.archives().rowsOfRun(launch.runId());
    return new FileArchiveSummary(
        launch.runId(), run.location(), launch.request(), run.exhausted().size(), rows, counters,
        launch.request().isEmpty()
            ? null
            : ArchivePaths.deadLetterPrefix(launch.archiveRoot(), launch.spec().archiveType(), launch.runId()) + ".csv");
  }

  @Override
  public java.util.List<org.beamarchiver.notify.Notice.Problem> problems(FileArchiveSummary summary) {
    return ArchiveJob.problemsOf(summary.partitions());
  }

  @Override
  public JobRunner.Counts counts(FileArchiveSummary summary) {
    int failed = (int) summary.failedPartitions();
    return new JobRunner.Counts(rows.size() - failed, failed, run.exhausted().size());
  }

  @Override
  public void afterFailure() throws Exception {
    reconcile.afterRun(launch.runId());
  }

  @Override
  public void cleanUp() throws IOException {}
}
