package org.beamarchiver.pipelines;

import org.beamarchiver.ledger.Deletion;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.control.JobRunner;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.control.Reconcile;
import org.beamarchiver.integrity.ArchiveVerifier;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.DeletionReport;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.options.DeleteOptions;

/**
 * A delete job's steps ({@link JobRunner}): the partitions to delete, chosen under the lease and
 * checked against their signed manifests; the {@link DeletePipeline} over them, each retry resuming
 * with the partitions not yet deleted; the report of every partition.
 */
final class DeleteJob implements JobRunner.Job<DeleteSummary> {
  /**
   * What differs between deleting a table's rows and a files table's files: which partitions the
   * run works on (and which it refuses), what it says it deletes, and the pipeline over them.
   */
  interface Work {
    DeleteRun prepare() throws Exception;

    /** "delete from keyspace.table", "delete the archived files of location". */
    String describe(DeleteRun run);

    Pipeline pipeline(DeleteRun run) throws IOException;

    List<String> progressCounters();

    /** What the progress measures against (null: the counters only). */
    default Progress.Goal goal(DeleteRun run) {
      return null;
    }
  }

  private final DeleteOptions options;
  private final Launch launch;
  private final SigningKey key;
  private final Progress progress;
  private final Work work;
  private final List<DeletionReport> report = new ArrayList<>();
  private DeleteRun current;

  DeleteJob(DeleteOptions options, Launch launch, SigningKey key, Progress progress, Work work) {
    this.options = options;
    this.launch = launch;
    this.key = key;
    this.progress = progress;
    this.work = work;
  }

  /** The rows' delete: the live table's rows of the verified archives, under the source's guard. */
  private static Work rows(DeleteOptions options, Launch launch, SigningKey key, DeleteHook hook) {
    return new Work() {
      @Override
      public DeleteRun prepare() throws Exception {
        return DeleteJob.prepare(options, launch, key);
      }

      @Override
      public String describe(DeleteRun run) {
        return "delete from " + run.spec().qualifiedTable();
      }

      @Override
      public Pipeline pipeline(DeleteRun run) throws IOException {
        return DeletePipeline.create(options, run, hook);
      }

      @Override
      public List<String> progressCounters() {
        return DeletePipeline.PROGRESS_COUNTERS;
      }

      /** The archived rows of the partitions to delete, from the ledger: each ends counted once. */
      @Override
      public Progress.Goal goal(DeleteRun run) {
        long rows = 0;
        for (ArchivedPartition p : run.partitions()) {
          if (p.rowCount() < 0) {
            return null;
          }
          rows += p.rowCount();
        }
        return new Progress.Goal(
            List.of("rowsDeleted", "rowsWouldDelete", "rowsSkippedChanged", "rowsAbsent", "rowsFailed"), rows, "rows", false);
      }
    };
  }

  static DeleteSummary run(DeleteOptions options, Clock clock, Progress progress, DeleteHook hook) throws Exception {
    Launch launch = Launch.resolve(options, clock, "delete");
    validate(options);
    // Before the job is recorded or anything read: a configuration that would void the guard is refused.
    launch.source().checkGuard("delete", launch.spec().keyspace()).forEach(progress::note);
    JobControl.Settings job =
        launch.jobSettings(options, "delete")
            .withRequestData(launch.requestData(Boolean.TRUE.equals(options.getDryRun()) ? "delete-dry-run" : "delete"));
    SigningKey key = SigningKey.resolve(options, false, progress::note);
    return run(options, job, launch, key, progress, rows(options, launch, key, hook));
  }

  /** Runs a delete job of {@code work} under run control (the table's lease, job states, retries). */
  static DeleteSummary run(
      DeleteOptions options, JobControl.Settings job, Launch launch, SigningKey key, Progress progress, Work work)
      throws Exception {
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    return JobRunner.run(
        job,
        new Reconcile(ledger, launch.spec().archiveType(), launch.archiveRoot(), progress::note),
        progress::note,
        new DeleteJob(options, launch, key, progress, work));
  }

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

  /**
   * The partitions to delete, read from the ledger under the table's lease: only those whose ledger
   * row a signed manifest vouches for; the others are refused and marked.
   */
  static DeleteRun prepare(DeleteOptions options, Launch launch, SigningKey key) throws Exception {
    SourceTable table = launch.source().resolve();
    boolean dryRun = Boolean.TRUE.equals(options.getDryRun());
    Vouched vouched = vouchedFor(launch, key, dryRun);
    List<ArchivedPartition> partitions = vouched.partitions();
    List<DeletionReport> refused = vouched.refused();
    return new DeleteRun(
        launch.runId(),
        launch.now(),
        launch.spec(),
        table,
        launch.request(),
        List.copyOf(partitions),
        launch.source(),
        launch.ledger(),
        launch.archiveRoot(),
        dryRun,
        List.copyOf(refused),
        launch.source().family(table));
  }

  /** The partitions of a request to delete: those a signed manifest vouches for, and the others, refused. */
  record Vouched(List<ArchivedPartition> partitions, List<DeletionReport> refused) {}

  /**
   * The request's archived partitions not yet deleted, split: only those whose ledger row a signed
   * manifest vouches for go on to the delete (which then checks the object against that row); the
   * others are refused and, unless a dry run, marked in the ledger.
   */
  static Vouched vouchedFor(Launch launch, SigningKey key, boolean dryRun) throws Exception {
    Ledger ledger = new Ledger(launch.ledger());
    String type = launch.spec().archiveType();
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
    return new Vouched(List.copyOf(partitions), List.copyOf(refused));
  }

  @Override
  public void open() {
    Stores.configure(options);
  }

  @Override
  public void prepare() throws Exception {
    current = work.prepare();
    current.request().notes().forEach(progress::note);
    progress.note(
        (current.dryRun() ? "DRY RUN (nothing is deleted): " : "")
            + work.describe(current)
            + " "
            + current.request().describe()
            + ": "
            + current.partitions().size()
            + " archived partition(s) not yet deleted"
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
      current = work.prepare();
    }
    if (current.partitions().isEmpty()) {
      return Map.of();
    }
    progress.expect(work.goal(current));
    Map<String, Long> c = Execution.runWithProgress(work.pipeline(current), work.progressCounters(), progress);
    report.addAll(readReport(DeletePipeline.reportPrefix(current) + ".jsonl"));
    return c;
  }

  @Override
  public DeleteSummary summarize(Map<String, Long> counters) {
    report.addAll(current.refused());
    report.sort(Comparator.comparing(DeletionReport::batchId).thenComparing(DeletionReport::period));
    return new DeleteSummary(current, report, counters);
  }

  @Override
  public java.util.List<org.beamarchiver.notify.Notice.Problem> problems(DeleteSummary summary) {
    return summary.partitions().stream()
        .filter(r -> !"SUCCESS".equals(r.status()))
        .map(r -> new org.beamarchiver.notify.Notice.Problem(r.batchId(), r.period(), r.error()))
        .toList();
  }

  @Override
  public JobRunner.Counts counts(DeleteSummary summary) {
    int failed = (int) summary.failedPartitions();
    return new JobRunner.Counts(report.size() - failed, failed, 0);
  }

  @Override
  public void cleanUp() throws IOException {
    Stores.deleteFolder(ArchivePaths.tempDir(launch.archiveRoot(), launch.runId()));
  }

  static List<DeletionReport> readReport(String path) throws IOException {
    List<DeletionReport> out = new ArrayList<>();
    for (String line : Stores.readLines(path)) {
      if (!line.isBlank()) {
        out.add(DeletionReport.fromJson(line));
      }
    }
    out.sort(Comparator.comparing(DeletionReport::batchId).thenComparing(DeletionReport::period));
    return out;
  }
}
