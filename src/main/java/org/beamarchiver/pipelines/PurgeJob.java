package org.beamarchiver.pipelines;

import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.control.JobRunner;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.Recycles;
import org.beamarchiver.options.Checks;
import org.beamarchiver.options.PurgeOptions;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;
import org.beamarchiver.spec.SpecUnit;
import org.beamarchiver.sql.JdbcEndpoint;

/**
 * {@code purge}: empties a files table's recycle bin of what was recycled at least {@code
 * --olderThanDays} ago, under the table's lease. Per recycle folder the ledger knows (and has not
 * recorded purged): the folder is removed, then recorded purged. The archive is not touched: a
 * purged file is still in its verified archive, and restore reads it from there.
 */
public final class PurgeJob implements JobRunner.Job<PurgeJob.Summary> {
  /** One recycle folder's outcome. */
  public record Outcome(Recycles.Recycled folder, int files, String error) {}

  /** What a purge did (or, in a dry run, would do). */
  public record Summary(String runId, String table, int olderThanDays, boolean dryRun, List<Outcome> folders) {
    public long failed() {
      return folders.stream().filter(o -> o.error() != null).count();
    }

    public long files() {
      return folders.stream().mapToLong(Outcome::files).sum();
    }
  }

  private final PurgeOptions options;
  private final Ledger ledger;
  private final TableSpec spec;
  private final String type;
  private final String runId;
  private final Instant before;
  private final List<Recycles.Recycled> due = new ArrayList<>();
  private final List<Outcome> outcomes = new ArrayList<>();
  private final Progress progress;

  private PurgeJob(PurgeOptions options, Ledger ledger, TableSpec spec, String runId, Instant before, Progress progress) {
    this.options = options;
    this.ledger = ledger;
    this.spec = spec;
    this.type = spec.archiveType();
    this.runId = runId;
    this.before = before;
    this.progress = progress;
  }

  public static Summary run(PurgeOptions options, Instant now, Progress progress) throws Exception {
    if (options.getOlderThanDays() == null) {
      throw new IllegalArgumentException("--olderThanDays=<days> is required (0 purges everything recycled)");
    }
    Checks.range("--olderThanDays", options.getOlderThanDays(), 0, 36_500);
    SpecUnit unit = TableSpecLoader.loadUnit(Paths.get(options.getTableSpec()));
    TableSpec spec = unit.spec();
    if (spec.files() == null && unit.lifecycle() != null) {
      // a row storage of a lifecycle: its archive is its only copy; nothing to purge, nothing wrong
      progress.note(spec.qualifiedTable() + " (lifecycle " + unit.lifecycle() + ") keeps rows, which have no recycle bin");
      return new Summary(Launch.newRunId("purge", Instant.now()), spec.qualifiedTable(), options.getOlderThanDays(),
          Boolean.TRUE.equals(options.getDryRun()), List.of());
    }
    if (spec.files() == null) {
      throw new IllegalArgumentException(
          "purge empties the recycle bin of a files table (source.kind: files); " + options.getTableSpec()
              + " is a table of rows, which has none");
    }
    String runId = Launch.newRunId("purge", Instant.now());
    JdbcEndpoint endpoint = Ledger.endpoint(options);
    Ledger ledger = new Ledger(endpoint);
    JobControl.Settings job =
        Launch.jobSettings(options, "purge", endpoint, spec, runId)
            .withRequestData(requestData(options, spec, runId));
    ledger.migrate();
    Instant before = now.minus(Duration.ofDays(options.getOlderThanDays()));
    return JobRunner.run(job, null, progress::note, new PurgeJob(options, ledger, spec, runId, before, progress));
  }

  private static String requestData(PurgeOptions options, TableSpec spec, String runId) {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode n = json.createObjectNode();
    n.put("action", Boolean.TRUE.equals(options.getDryRun()) ? "purge-dry-run" : "purge");
    n.put("table", spec.qualifiedTable());
    n.put("olderThanDays", options.getOlderThanDays());
    n.put("runId", runId);
    return n.toString();
  }

  private boolean dryRun() {
    return Boolean.TRUE.equals(options.getDryRun());
  }

  @Override
  public void open() {
    Stores.configure(options);
  }

  @Override
  public void prepare() throws Exception {
    due.addAll(ledger.recycles().toPurge(type, before));
    progress.note(
        (dryRun() ? "would purge " : "purge ") + due.size() + " recycle folder(s) of " + type + " recycled before " + before);
  }

  @Override
  public boolean hasWork() {
    return !due.isEmpty();
  }

  @Override
  public JobState workState() {
    return JobState.PURGING;
  }

  @Override
  public Map<String, Long> attempt(int attempt) throws Exception {
    outcomes.clear();
    long files = 0;
    long failed = 0;
    for (Recycles.Recycled r : due) {
      if (dryRun()) {
        org.apache.beam.sdk.io.fs.MatchResult m = Stores.match(r.recycleUrl() + "/**");
        int n = m.status() == org.apache.beam.sdk.io.fs.MatchResult.Status.OK ? m.metadata().size() : 0;
        outcomes.add(new Outcome(r, n, null));
        files += n;
        continue;
      }
      try {
        // removed first, then recorded: a purge that dies between the two is done again (harmless)
        int n = Stores.deleteFolder(r.recycleUrl() + "/");
        ledger.recycles().purged(r.recycleUrl(), runId);
        outcomes.add(new Outcome(r, n, null));
        files += n;
      } catch (Exception e) {
        outcomes.add(new Outcome(r, 0, String.valueOf(e.getMessage())));
        failed++;
      }
    }
    return Map.of("foldersPurged", (long) outcomes.size() - failed, "foldersFailed", failed, "filesPurged", files);
  }

  @Override
  public Summary summarize(Map<String, Long> counters) {
    return new Summary(runId, spec.qualifiedTable(), options.getOlderThanDays(), dryRun(), List.copyOf(outcomes));
  }

  @Override
  public List<org.beamarchiver.notify.Notice.Problem> problems(Summary s) {
    return problemsOf(s);
  }

  /** The recycled folders a purge could not remove, with their errors. */
  static List<org.beamarchiver.notify.Notice.Problem> problemsOf(Summary s) {
    return s.folders().stream()
        .filter(o -> o.error() != null)
        .map(o -> new org.beamarchiver.notify.Notice.Problem(o.folder().batchId(), o.folder().period(), o.error()))
        .toList();
  }

  @Override
  public JobRunner.Counts counts(Summary s) {
    int failed = (int) s.failed();
    return new JobRunner.Counts(s.folders().size() - failed, failed, 0);
  }

  @Override
  public void cleanUp() {}
}
