package org.beamarchiver.cli;

import org.beamarchiver.pipelines.PlanPipeline;
import java.io.PrintStream;
import java.time.Clock;
import org.beamarchiver.control.RunFile;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.pipelines.Progress;

/** {@code plan}: the archive's dry run; writes a run file that {@code archive --plan} executes. */
final class PlanCommand extends Command<ArchiveOptions> {
  PlanCommand() {
    super(
        "plan",
        "dry run of archive: count each partition's rows, write a run file (targets, actions); change nothing",
        ArchiveOptions.class);
  }

  @Override
  ExitCode execute(ArchiveOptions options, PrintStream out) throws Exception {
    PlanPipeline.PlanResult plan = PlanPipeline.plan(options, Clock.systemUTC(), new Progress(out));
    RunFile f = plan.file();
    out.println();
    out.println("Plan" + (plan.reused() ? " (reused)" : "") + "  table=" + f.table() + "  made " + f.createdAt());
    out.println("  run file: " + plan.path());
    Table t = new Table("batch", "week", "action", "rows", "iteration", "target");
    long rows = 0;
    for (RunFile.Partition p : f.partitions()) {
      t.add(p.batchId(), p.period(), p.action(), String.valueOf(p.rows()), String.valueOf(p.iteration()), p.target());
      rows += p.rows() == null ? 0 : p.rows();
    }
    t.print(out);
    out.printf("  partitions: %d to write (%d rows), %d skipped%n", f.partitions().size(), rows, f.skipped().size());
    f.skipped().forEach(s -> out.println("  skipped " + s.batchId() + " " + s.period() + ": " + s.reason()));
    out.println("  execute with: archive --plan=" + plan.path() + " (plus the same connection options)");
    return ExitCode.OK;
  }
}
