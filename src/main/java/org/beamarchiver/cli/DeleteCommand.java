package org.beamarchiver.cli;

import java.io.PrintStream;
import java.time.Clock;
import org.beamarchiver.model.DeletionReport;
import org.beamarchiver.options.DeleteOptions;
import org.beamarchiver.pipelines.DeletePipeline;
import org.beamarchiver.pipelines.DeleteSummary;
import org.beamarchiver.pipelines.Progress;

/** {@code delete}: remove from the live table only rows a re-verified archive holds, unchanged. */
final class DeleteCommand extends Command<DeleteOptions> {
  DeleteCommand() {
    super(
        "delete",
        "delete archived rows from the live table: only keys of a re-verified archive, only if unchanged",
        DeleteOptions.class);
  }

  @Override
  ExitCode execute(DeleteOptions options, PrintStream out) throws Exception {
    DeleteSummary s = DeletePipeline.run(options, Clock.systemUTC(), Progress.forConsole(out));
    print(s, out);
    return s.failedPartitions() > 0 ? ExitCode.PARTIAL : ExitCode.OK;
  }

  static void print(DeleteSummary s, PrintStream out) {
    out.println();
    out.println(
        (s.run().dryRun() ? "Delete DRY RUN summary (nothing deleted)" : "Delete summary")
            + "  run="
            + s.run().runId()
            + "  table="
            + s.run().spec().qualifiedTable());
    out.println("  " + s.run().request().describe());
    if (s.partitions().isEmpty()) {
      out.println("  nothing to delete: no archived partition of the request awaits deletion");
      return;
    }
    Table t =
        new Table(
            "batch", "week", "archive", s.run().dryRun() ? "would delete" : "deleted", "skipped changed",
            "absent", "failed", "status").longOnOwnLine("archive");
    for (DeletionReport r : s.partitions()) {
      t.add(
          r.batchId(),
          r.period(),
          r.verified() ? "verified" : "NOT VERIFIED: " + r.error(),
          Long.toString(s.run().dryRun() ? r.wouldDelete() : r.deleted()),
          Long.toString(r.skippedChanged()),
          Long.toString(r.absent()),
          Long.toString(r.failed()),
          s.run().dryRun() ? "(dry run)" : r.status());
    }
    t.print(out);
    out.printf(
        "  partitions: %d, %d not verified, %d FAILED; %s: %d %s, %d skipped as changed, %d absent%n",
        s.partitions().size(),
        s.partitions().stream().filter(r -> !r.verified()).count(),
        s.failedPartitions(),
        s.run().spec().files() != null ? "files" : "rows",
        s.run().dryRun() ? s.total(DeletionReport::wouldDelete) : s.total(DeletionReport::deleted),
        s.run().dryRun() ? "would be deleted" : "deleted",
        s.total(DeletionReport::skippedChanged),
        s.total(DeletionReport::absent));
    s.partitions().stream()
        .filter(r -> r.error() != null && r.verified())
        .forEach(r -> out.println("  " + r.batchId() + " " + r.period() + ": " + r.error()));
  }
}
