package org.beamarchiver.pipelines;

import org.beamarchiver.ledger.RestoreStatus;
import org.beamarchiver.ledger.Restore;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.control.JobRunner;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.control.RefusedException;
import org.beamarchiver.integrity.ArchiveVerifier;
import org.beamarchiver.integrity.Manifest;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.io.LiveSources;
import org.beamarchiver.io.source.LiveSource;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.options.RestoreOptions;
import org.beamarchiver.transforms.RestoreVerifiedRows;

/**
 * A restore job's steps ({@link JobRunner}): under the lease, the request's archived partitions
 * (deleted or not), each ledger row checked against its signed manifest (a partition that fails is
 * refused and recorded, the others go on), and the target checked against the archive's columns,
 * types and key (an incompatible target refuses the whole run, naming the difference, before
 * anything is written); then the {@link RestorePipeline}, and each partition's outcome.
 */
final class RestoreJob implements JobRunner.Job<RestorePipeline.Summary> {
  private final RestoreOptions options;
  private final Launch launch;
  private final SigningKey key;
  private final Ledger ledger;
  private final String type;
  private final String keyspace;
  private final LiveSource into;
  private final String table;
  private final String target;
  private final Progress progress;
  private final List<ArchivedPartition> accepted = new ArrayList<>();
  private List<String> names;
  private List<String> header;
  private org.beamarchiver.io.source.Family family;

  private RestoreJob(
      RestoreOptions options, Launch launch, SigningKey key, Ledger ledger, String keyspace, LiveSource into,
      String table, String target, Progress progress) {
    this.options = options;
    this.launch = launch;
    this.key = key;
    this.ledger = ledger;
    this.type = launch.spec().archiveType();
    this.keyspace = keyspace;
    this.into = into;
    this.table = table;
    this.target = target;
    this.progress = progress;
  }

  static RestorePipeline.Summary run(RestoreOptions options, Clock clock, Progress progress) throws Exception {
    Launch launch = Launch.resolve(options, clock, "restore");
    RestorePipeline.validate(options);
    JobControl.Settings job = launch.jobSettings(options, "restore");
    SigningKey key = SigningKey.resolve(options, false, progress::note);
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    String keyspace = options.getTargetKeyspace() != null ? options.getTargetKeyspace() : launch.spec().keyspace();
    // The target: the source's own store by default (a JDBC source's rows go back into its own
    // database: its table, or --targetTable there), or the database of --targetJdbcUrl.
    LiveSource into =
        options.getTargetJdbcUrl() == null ? launch.source()
            : LiveSources.jdbc(
                launch.spec(),
                new JdbcEndpoint(
                    options.getTargetJdbcUrl(), options.getTargetJdbcUsername(),
                    options.getTargetJdbcPassword() != null ? options.getTargetJdbcPassword() : System.getenv("TARGET_JDBC_PASSWORD")),
                launch.source().outage());
    String table = options.getTargetTable() != null ? options.getTargetTable() : into.defaultRestoreTable();
    String target = into.describeTarget(keyspace, table);
    // Before the job is recorded or anything read: a configuration that would void the
    // read-before-write is refused.
    into.checkGuard("restore", keyspace).forEach(progress::note);
    if (launch.spec().isCascade()
        && (options.getTargetJdbcUrl() != null || options.getTargetTable() != null || options.getTargetKeyspace() != null)) {
      throw new IllegalArgumentException(
          "--targetJdbcUrl, --targetTable and --targetKeyspace do not apply to " + options.getTableSpec()
              + ": its related tables (children, summary) are restored into the tables they came from");
    }
    return JobRunner.run(
        job.withRequestData(launch.requestData("restore into " + target)),
        null,
        progress::note,
        new RestoreJob(options, launch, key, ledger, keyspace, into, table, target, progress));
  }

  @Override
  public void open() {
    Stores.configure(options);
  }

  /**
   * The request's archived partitions (deleted or not) that their signed manifests vouch for, in
   * batch and week order; each of the others is refused, its refusal recorded in the ledger and noted.
   * Returns the vouched-for rows and adds the refused partitions' outcomes to {@code refused}.
   */
  static List<LedgerRow> vouchedFor(
      Launch launch, Ledger ledger, SigningKey key, String target, Progress progress, List<RestorePipeline.Outcome> refused)
      throws Exception {
    String type = launch.spec().archiveType();
    ArchiveVerifier verifier = new ArchiveVerifier(key);
    List<LedgerRow> rows = new ArrayList<>();
    for (LedgerRow r : ledger.archives().partitionRows(type, launch.request()).values()) {
      if (ArchiveVerifier.archived(r)) {
        rows.add(r);
      }
    }
    rows.sort(Comparator.comparing(LedgerRow::batchId).thenComparing(LedgerRow::period));
    List<LedgerRow> vouched = new ArrayList<>();
    for (LedgerRow r : rows) {
      Optional<ArchiveVerifier.Verdict> bad = verifier.checkManifest(r);
      if (bad.isPresent()) {
        String why = "refused, archive not verified: " + bad.get().describe();
        refused.add(new RestorePipeline.Outcome(r.batchId(), r.period(), RestoreStatus.FAILED.name(), 0, why));
        Restore refusal =
            new Restore(launch.runId(), r.uuid(), r.batchId(), r.period(), r.blobUrl(), target, Instant.now(), 0,
                RestoreStatus.FAILED, why);
        ledger.restores().record("record the refusal of " + r.batchId() + " " + r.period(), type, refusal);
        progress.note("refused " + r.batchId() + " " + r.period() + ": " + why);
        continue;
      }
      vouched.add(r);
    }
    return vouched;
  }

  @Override
  public void prepare() throws Exception {
    List<RestorePipeline.Outcome> refused = new ArrayList<>();
    Map<String, List<Map.Entry<String, String>>> shapes = new LinkedHashMap<>();
    for (LedgerRow r : vouchedFor(launch, ledger, key, target, progress, refused)) {
      shapes.computeIfAbsent(r.manifestUrl(), u -> columnsOf(u));
      accepted.add(r.archivedPartition());
    }
    List<Map.Entry<String, String>> columns = null;
    for (Map.Entry<String, List<Map.Entry<String, String>>> s : shapes.entrySet()) {
      if (columns != null && !columns.equals(s.getValue())) {
        throw new RefusedException(
            "the archives of this request have different columns (" + s.getKey() + " differs); restore them per period");
      }
      columns = s.getValue();
    }
    progress.note(
        "restore " + launch.request().describe() + " into " + target + ": " + accepted.size()
            + " verified archive(s) (manifest signatures checked with key " + key.id() + ")"
            + (refused.isEmpty() ? "" : ", " + refused.size() + " refused"));
    if (columns != null) {
      String why = into.restoreIncompatibility(RestorePipeline.targetSpec(launch.spec(), keyspace, table, List.of()), columns);
      if (why != null) {
        throw new RefusedException(why + "; nothing was written");
      }
    }
    names = columns == null ? List.of() : columns.stream().map(Map.Entry::getKey).toList();
    // A cascade is restored into its own tables (other targets are refused at launch).
    family = launch.spec().isCascade() ? into.family(into.resolve()) : null;
    if (family != null && columns != null && !names.equals(family.parentColumns())) {
      throw new RefusedException(
          "the archives' columns " + names + " are not the live table's " + family.parentColumns()
              + ": a cascade is restored into the tables it came from, unchanged; nothing was written");
    }
    header = new ArrayList<>(names);
    header.add(RowLayout.WRITE_TIME_COLUMN);
  }

  @Override
  public boolean hasWork() {
    return !accepted.isEmpty();
  }

  @Override
  public JobState workState() {
    return JobState.RESTORING;
  }

  @Override
  public Map<String, Long> attempt(int attempt) throws IOException {
    RestoreVerifiedRows.Settings settings =
        new RestoreVerifiedRows.Settings(
            into, RestorePipeline.targetSpec(launch.spec(), keyspace, table, names), header,
            options.getRestoreConcurrency(),
            RestorePipeline.writesPerWorker(options), launch.ledger(), type, launch.runId(), family);
    long rows = 0;
    for (ArchivedPartition p : accepted) {
      rows = rows < 0 || p.rowCount() < 0 ? -1 : rows + p.rowCount();
    }
    // The archived rows of the partitions to restore, from the ledger: each ends restored or failed.
    progress.expect(rows < 0 ? null : new Progress.Goal(List.of("rowsRestored", "rowsFailed"), rows, "rows", false));
    return Execution.runWithProgress(
        RestorePipeline.create(options, launch, accepted, settings), RestorePipeline.PROGRESS_COUNTERS, progress);
  }

  @Override
  public RestorePipeline.Summary summarize(Map<String, Long> counters) throws Exception {
    return summaryOf(ledger, launch, target, "rows");
  }

  /** The summary of the launch's restore run: every partition's outcome as the ledger recorded it. */
  static RestorePipeline.Summary summaryOf(Ledger ledger, Launch launch, String target, String unit) throws Exception {
    List<RestorePipeline.Outcome> outcomes = new ArrayList<>();
    for (Restore r : ledger.restores().ofType(launch.spec().archiveType())) {
      if (r.runId().equals(launch.runId())) {
        outcomes.add(new RestorePipeline.Outcome(r.batchId(), r.period(), r.status().name(), r.rows(), r.error()));
      }
    }
    outcomes.sort(Comparator.comparing(RestorePipeline.Outcome::batchId).thenComparing(RestorePipeline.Outcome::period));
    return new RestorePipeline.Summary(launch.runId(), target, launch.request().describe(), outcomes, unit);
  }

  @Override
  public java.util.List<org.beamarchiver.notify.Notice.Problem> problems(RestorePipeline.Summary summary) {
    return problemsOf(summary);
  }

  static java.util.List<org.beamarchiver.notify.Notice.Problem> problemsOf(RestorePipeline.Summary summary) {
    return summary.partitions().stream()
        .filter(o -> !"SUCCESS".equals(o.status()))
        .map(o -> new org.beamarchiver.notify.Notice.Problem(o.batchId(), o.period(), o.error()))
        .toList();
  }

  @Override
  public JobRunner.Counts counts(RestorePipeline.Summary summary) {
    return countsOf(summary);
  }

  static JobRunner.Counts countsOf(RestorePipeline.Summary summary) {
    int failed = (int) summary.failed();
    return new JobRunner.Counts(summary.partitions().size() - failed, failed, 0);
  }

  @Override
  public void cleanUp() throws IOException {
    Stores.deleteFolder(ArchivePaths.tempDir(launch.archiveRoot(), launch.runId()));
  }

  private static List<Map.Entry<String, String>> columnsOf(String manifestUrl) {
    try {
      return Manifest.read(manifestUrl).columns();
    } catch (IOException e) {
      throw new IllegalStateException("manifest " + manifestUrl + " became unreadable: " + e.getMessage(), e);
    }
  }
}
