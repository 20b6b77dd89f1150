package org.beamarchiver.pipelines;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.control.JobRunner;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.control.Reconcile;
import org.beamarchiver.control.RunFile;
import org.beamarchiver.integrity.ManifestSigner;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.options.ArchiveOptions;

/**
 * An archive job's steps ({@link JobRunner}): the run file written (or a plan, or a recent run
 * file, reused), the partitions to archive resolved from the ledger under the lease, the
 * {@link ArchivePipeline} (each retry resuming), then every recorded object checked and the run's
 * manifest signed, and the run file completed.
 */
final class ArchiveJob implements JobRunner.Job<ArchiveSummary> {
  private final ArchiveOptions options;
  private final Launch launch;
  private final SigningKey key;
  private final Ledger ledger;
  private final Reconcile reconcile;
  private final Progress progress;
  private final String type;
  private final String runFileDir;
  private final String system;
  private final RunFile.Request request;
  /** The plan executed (--plan, or a counted run file less than an hour old); null otherwise. */
  private RunFile plan;
  private String planPath;
  /** The plan the partitions are resolved against, fixed at prepare. */
  private RunFile planned;
  private RunFile runFile;
  /** What the first attempt resolved; {@link #current} what the latest did. */
  private ArchiveRun run;
  private ArchiveRun current;
  private List<LedgerRow> rows;

  private ArchiveJob(
      ArchiveOptions options, Launch launch, SigningKey key, Ledger ledger, Reconcile reconcile, RunFile plan,
      String planPath, Progress progress) {
    this.options = options;
    this.launch = launch;
    this.key = key;
    this.ledger = ledger;
    this.reconcile = reconcile;
    this.plan = plan;
    this.planPath = planPath;
    this.progress = progress;
    this.type = launch.spec().archiveType();
    this.runFileDir = ArchiveRunFiles.runFileDir(options, launch);
    this.system = ArchiveRunFiles.system(options, launch);
    this.request = ArchiveRunFiles.requestOf(options, launch);
  }

  /**
   * Runs an archive job under run control: takes the table's lease, cleans up after runs that
   * died, writes or reuses the run file, runs the pipeline (retrying recoverable errors, each
   * retry resuming), checks every object it recorded, and records each state in the ledger.
   */
  static ArchiveSummary run(ArchiveOptions options, Clock clock, Progress progress) throws Exception {
    RunFile plan = null;
    String planPath = options.getPlan();
    if (planPath != null) {
      plan = RunFile.read(planPath);
      ArchiveRunFiles.applyPlan(options, plan);
    }
    Launch launch = Launch.resolve(options, clock, "run");
    ArchiveRun.validate(options);
    JobControl.Settings settings = launch.jobSettings(options, "archive").withRequestData(launch.requestData("archive"));
    if (plan != null) {
      ArchiveRunFiles.checkPlanMatches(plan, launch, planPath);
    }
    SigningKey key = SigningKey.resolve(options, true, progress::note);
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    Reconcile reconcile = new Reconcile(ledger, launch.spec().archiveType(), launch.archiveRoot(), progress::note);
    return JobRunner.run(
        settings, reconcile, progress::note, new ArchiveJob(options, launch, key, ledger, reconcile, plan, planPath, progress));
  }

  @Override
  public void open() {
    Stores.configure(options);
  }

  @Override
  public void prepare() throws Exception {
    RunFile reused = null;
    if (plan == null && !Boolean.TRUE.equals(options.getForceRun())) {
      Optional<RunFile.Found> fresh =
          RunFile.fresh(runFileDir, system, launch.spec().qualifiedTable(), request, Instant.now());
      if (fresh.isPresent()) {
        planPath = fresh.get().path();
        if (fresh.get().file().counted()
            && fresh.get().file().forceArchival() == Boolean.TRUE.equals(options.getForceArchival())) {
          plan = fresh.get().file();
          progress.note(
              "executing the plan " + planPath + " made " + plan.createdAt()
                  + " (less than an hour ago; --forceRun plans anew)");
        } else {
          reused = fresh.get().file();
          progress.note("reusing the run file " + planPath + " (less than an hour old; --forceRun for a new one)");
        }
      }
    }
    long epoch = plan != null ? plan.runEpochMillis() : launch.now().toEpochMilli();
    planned = plan;
    run = ArchiveRun.prepare(options, launch, epoch, planned, progress);
    if (plan != null && run.force() && ArchiveRunFiles.namesClash(ledger, type, plan)) {
      // A forced re-run of a plan already executed would write over the very objects it
      // replaces: name the new objects by this run's time instead.
      epoch = launch.now().toEpochMilli();
      run = ArchiveRun.prepare(options, launch, epoch, planned, progress);
    }
    if (plan != null) {
      runFile = plan;
    } else if (reused != null) {
      runFile = reused;
    } else {
      planPath = RunFile.path(runFileDir, system, launch.spec().qualifiedTable(), request, launch.now());
      RunFile.keepPrevious(planPath);
      runFile = ArchiveRunFiles.newRunFile(system, launch, request, run, List.of(), false);
    }
    runFile = runFile.withExecution(new RunFile.Execution(launch.runId(), launch.now(), null, "PROCESSING", null, null, null));
    runFile.write(planPath);
    progress.note("run file: " + planPath);

    current = run;
    run.request().notes().forEach(progress::note);
    progress.note(
        "archive " + run.spec().qualifiedTable() + " " + run.request().describe() + " over " + run.read().describe()
            + (run.force() ? " (forced: archived partitions are re-archived)" : ""));
    if (!run.alreadyArchived().isEmpty()) {
      progress.note(
          run.alreadyArchived().size()
              + " partition(s) of this request are already archived (SUCCESS) and are skipped");
    }
  }

  @Override
  public boolean hasWork() {
    return !run.request().isEmpty();
  }

  @Override
  public JobState workState() {
    return JobState.ARCHIVING;
  }

  @Override
  public Map<String, Long> attempt(int attempt) throws Exception {
    if (attempt > 1) {
      current = ArchiveRun.prepare(options, launch, run.runEpochMillis(), planned, progress);
    }
    progress.expect(goal());
    return Execution.runWithProgress(ArchivePipeline.create(options, current), ArchivePipeline.PROGRESS_COUNTERS, progress);
  }

  /**
   * What the progress measures against: a counted plan's rows when executing one (the rows to
   * write), else the source's estimate of the rows the scan reads; none when neither is known.
   */
  private Progress.Goal goal() {
    if (planned != null && planned.counted()) {
      // the planned partitions this attempt writes: not those archived since (an earlier attempt's)
      java.util.Set<org.beamarchiver.model.PartitionKey> skipped = current.skipped();
      long rows = 0;
      for (RunFile.Partition p : planned.partitions()) {
        if (!skipped.contains(org.beamarchiver.model.PartitionKey.of(p.batchId(), org.beamarchiver.model.IsoWeek.parse(p.period())))) {
          rows += p.rows() == null ? 0 : p.rows();
        }
      }
      return new Progress.Goal(List.of("rowsKept"), rows, "rows", false);
    }
    java.util.OptionalLong estimate = launch.source().estimateRowsRead(current.read(), current.request().batchIds());
    return estimate.isPresent() ? new Progress.Goal(List.of("rowsRead"), estimate.getAsLong(), "rows", true) : null;
  }

  @Override
  public String postProcessing() {
    return "checking the objects this run recorded, signing its manifest";
  }

  @Override
  public void postProcess() throws Exception {
    Reconcile.Outcome post = reconcile.afterRun(launch.runId());
    if (post.objectsBad() > 0) {
      progress.note(post.objectsBad() + " recorded object(s) failed the post-run check and were marked FAILED");
    }
    ManifestSigner.Result signed =
        ManifestSigner.sign(
            ledger, type, launch.spec().qualifiedTable(), current.table().layout().columns(),
            current.table().layout().types(), launch.archiveRoot(), launch.runId(), key, progress::note);
    if (signed.manifest() != null) {
      progress.note("manifest: " + signed.manifest() + " (" + signed.files() + " file(s), signed with key " + key.id() + ")");
    }
  }

  @Override
  public String storing() {
    return "summary and run file";
  }

  @Override
  public ArchiveSummary summarize(Map<String, Long> counters) throws Exception {
    rows = ledger.archives().rowsOfRun(launch.runId());
    ArchiveSummary summary =
        new ArchiveSummary(
            current,
            rows,
            counters,
            run.request().isEmpty()
                ? null
                : ArchivePaths.deadLetterPrefix(run.archiveRoot(), type, run.runId()) + ".csv");
    int failed = (int) summary.failedPartitions();
    runFile
        .withExecution(
            new RunFile.Execution(
                launch.runId(), launch.now(), Instant.now(), JobControl.outcome(failed).name(),
                rows.size() - failed, failed, plan == null ? null : ArchiveRunFiles.differences(plan, rows)))
        .write(planPath);
    return summary;
  }

  @Override
  public java.util.List<org.beamarchiver.notify.Notice.Problem> problems(ArchiveSummary summary) {
    return problemsOf(summary.partitions());
  }

  /** The partitions of an archive (of rows or of files) that did not end SUCCESS, with their errors. */
  static java.util.List<org.beamarchiver.notify.Notice.Problem> problemsOf(List<LedgerRow> partitions) {
    return partitions.stream()
        .filter(r -> r.archivalStatus() != org.beamarchiver.ledger.ArchiveStatus.SUCCESS)
        .map(r -> new org.beamarchiver.notify.Notice.Problem(r.batchId(), r.period(), r.errMessage()))
        .toList();
  }

  @Override
  public JobRunner.Counts counts(ArchiveSummary summary) {
    int failed = (int) summary.failedPartitions();
    return new JobRunner.Counts(rows.size() - failed, failed, current.skipped().size());
  }

  /** Objects the failed work recorded are checked (kept when whole, else marked FAILED). */
  @Override
  public void afterFailure() throws Exception {
    reconcile.afterRun(launch.runId());
  }

  @Override
  public void cleanUp() throws IOException {
    Stores.deleteFolder(ArchivePaths.tempDir(launch.archiveRoot(), launch.runId()));
    Stores.deleteFolder(ArchivePaths.spillDir(launch.archiveRoot(), launch.runId()));
  }
}
