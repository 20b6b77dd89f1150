package org.beamarchiver.pipelines;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.beamarchiver.control.RunFile;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.ArchiveFormat;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.options.ArchiveOptions;

/**
 * The run files of archive jobs and plans: where they live, what they say, and how a plan fixes
 * the request of the run that executes it.
 */
final class ArchiveRunFiles {
  private ArchiveRunFiles() {}

  /** Partitions of a plan whose object names are those of their current archive. */
  static boolean namesClash(Ledger ledger, String type, RunFile plan) throws SQLException {
    Set<String> targets = new HashSet<>();
    plan.partitions().forEach(p -> targets.add(p.target()));
    return ledger.archives().anyCurrentObject(type, targets);
  }

  /** Where the plan and the execution disagree (rows that arrived or went since planning). */
  static List<String> differences(RunFile plan, List<LedgerRow> rows) {
    Map<String, LedgerRow> done = new java.util.TreeMap<>();
    rows.forEach(r -> done.put(r.batchId() + " " + r.period(), r));
    List<String> out = new ArrayList<>();
    for (RunFile.Partition p : plan.partitions()) {
      String k = p.batchId() + " " + p.period();
      LedgerRow r = done.remove(k);
      if (r == null) {
        out.add(k + ": planned (" + p.rows() + " rows), not written by this run");
      } else if (r.rowCount() != null && p.rows() != null && !r.rowCount().equals(p.rows())) {
        out.add(k + ": planned " + p.rows() + " rows, archived " + r.rowCount());
      }
    }
    done.keySet().forEach(k -> out.add(k + ": written, not in the plan"));
    return out;
  }

  static RunFile newRunFile(
      String system, Launch launch, RunFile.Request request, ArchiveRun run,
      List<RunFile.Partition> partitions, boolean counted) {
    List<RunFile.Skipped> skipped = new ArrayList<>();
    run.alreadyArchived().stream().sorted().forEach(k -> skipped.add(new RunFile.Skipped(k.batchId(), k.period(), "ALREADY_ARCHIVED")));
    run.exhausted().stream().sorted().forEach(k -> skipped.add(new RunFile.Skipped(k.batchId(), k.period(), "MAX_ITERATIONS_REACHED")));
    String root = ArchivePaths.root(run.archiveRoot()) + "/" + ArchivePaths.ARCHIVE_DIR + "/" + run.spec().archiveType() + "/";
    List<String> actions =
        List.of(
            "take the lease on table " + run.spec().qualifiedTable() + " (one run at a time)",
            "remove what runs that died left behind (unrecorded objects, temporary files)",
            "read " + run.spec().qualifiedTable() + " over " + run.read().describe() + "; keep rows of "
                + run.request().describe() + (counted ? ", " + partitions.size() + " partition(s)" : ""),
            "per partition: record the target object in the ledger (write-ahead), write it sorted and gzipped"
                + " to " + ArchivePaths.root(run.archiveRoot()) + "/" + ArchivePaths.TEMP_DIR + "/<run>/, rename to " + root
                + ", record SUCCESS with size, SHA-256 and row count (FAILED with the error otherwise)",
            run.force()
                ? "per re-archived partition: keep the old ledger row as SUPERSEDED in archival_history, remove its object"
                : "partitions already archived are left alone",
            "check every recorded object against the ledger; release the lease");
    return new RunFile(
        RunFile.FORMAT,
        system,
        run.spec().qualifiedTable(),
        run.spec().archiveType(),
        launch.now(),
        launch.runId(),
        counted,
        run.runEpochMillis(),
        request,
        run.force(),
        counted ? partitions : null,
        skipped,
        actions,
        List.of());
  }

  static RunFile.Request requestOf(ArchiveOptions o, Launch launch) {
    ArchiveRequest r = launch.request();
    return new RunFile.Request(
        r.selection().name(),
        r.weeks().orElse(null),
        r.date().map(Object::toString).orElse(null),
        r.asOf().toString(),
        r.batchIds().isEmpty() ? null : List.copyOf(r.batchIds()),
        r.fromInclusive().map(Object::toString).orElse("-") + ".." + r.toExclusive().map(Object::toString).orElse("-"));
  }

  /** A plan fixes the request: its period, parameters, asOf and batch ids replace the options'. */
  static void applyPlan(ArchiveOptions options, RunFile plan) {
    RunFile.Request r = plan.request();
    options.setPeriod(r.period());
    options.setWeeks(r.weeks());
    options.setDate(r.date());
    options.setAsOf(r.asOf());
    options.setBatchIds(r.batchIds() == null ? null : String.join(",", r.batchIds()));
    options.setForceArchival(plan.forceArchival());
    // The plan names its target objects, so their format is the plan's.
    for (RunFile.Partition p : plan.partitions()) {
      Optional<ArchiveFormat> planned = ArchiveFormat.ofObject(p.target());
      if (planned.isEmpty()) {
        continue;
      }
      if (options.getFormat() != null && ArchiveFormat.parse(options.getFormat(), "--format") != planned.get()) {
        throw new IllegalArgumentException(
            "--format=" + options.getFormat() + " differs from the plan's files (" + planned.get()
                + "): leave --format out to execute the plan, or plan again with it");
      }
      options.setFormat(planned.get().name());
      break;
    }
  }

  static void checkPlanMatches(RunFile plan, Launch launch, String path) {
    if (!plan.table().equals(launch.spec().qualifiedTable()) || !plan.archiveType().equals(launch.spec().archiveType())) {
      throw new IllegalArgumentException(
          "--plan=" + path + " is for " + plan.table() + " (" + plan.archiveType() + "), but --tableSpec is "
              + launch.spec().qualifiedTable() + " (" + launch.spec().archiveType() + ")");
    }
  }

  static String runFileDir(ArchiveOptions options, Launch launch) {
    return options.getRunFileDir() != null
        ? ArchivePaths.root(Stores.normalizeRoot(options.getRunFileDir()))
        : ArchivePaths.root(launch.archiveRoot()) + "/run-files";
  }

  static String system(ArchiveOptions options, Launch launch) {
    return options.getSystem() != null ? options.getSystem() : launch.spec().keyspace();
  }
}
