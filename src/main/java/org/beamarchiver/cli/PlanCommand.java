package org.beamarchiver.cli;

import org.beamarchiver.pipelines.PlanPipeline;
import java.io.PrintStream;
import java.time.Clock;
import org.beamarchiver.control.RunFile;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.pipelines.FilesPlan;
import org.beamarchiver.pipelines.Progress;
import org.beamarchiver.spec.SpecUnit;

/** {@code plan}: the archive's dry run; writes a run file that {@code archive --plan} executes. */
final class PlanCommand extends Command<ArchiveOptions> {
  PlanCommand() {
    super(
        "plan",
        "dry run of archive: count each partition's rows (files), write a run file (targets, actions; a files"
            + " table's or lifecycles' plan: storages in order, partitions, steps); change nothing",
        ArchiveOptions.class);
  }

  @Override
  ExitCode execute(ArchiveOptions options, PrintStream out) throws Exception {
    if (FilesPlan.serves(options)) {
      return filesPlan(options, out);
    }
    PlanPipeline.PlanResult plan = PlanPipeline.plan(options, Clock.systemUTC(), Progress.forConsole(out));
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

  /** The plan of a files table or a spec with lifecycles: every storage in launch order, its partitions and steps. */
  private static ExitCode filesPlan(ArchiveOptions options, PrintStream out) throws Exception {
    FilesPlan.Result plan = FilesPlan.plan(options, Clock.systemUTC(), Progress.forConsole(out));
    out.println();
    out.println("Plan (dry run: nothing copied, recorded or removed)  " + options.getTableSpec());
    out.println("  plan file: " + plan.path());
    Table t = new Table("lifecycle", "order", "storage", "source", "week", "action", "files/rows", "bytes");
    for (FilesPlan.UnitPlan u : plan.units()) {
      SpecUnit x = u.unit();
      String lifecycle = x.lifecycle() == null ? "" : x.lifecycle();
      String order = x.lifecycle() == null ? "" : Integer.toString(x.order());
      String storage = x.storage() == null ? "" : x.storage();
      if (u.partitions().isEmpty()) {
        t.add(lifecycle, order, storage, x.spec().qualifiedTable(), "", "nothing to archive", "", "");
      }
      for (FilesPlan.PartitionPlan p : u.partitions()) {
        t.add(lifecycle, order, storage, x.spec().qualifiedTable(), p.week(), p.action(), Long.toString(p.count()),
            x.spec().files() == null ? "" : Long.toString(p.bytes()));
      }
    }
    t.print(out);
    out.println("  steps of each files storage, in order (the plan file lists them per storage):");
    for (int i = 0; i < FilesPlan.ARCHIVE_STEPS.size(); i++) {
      out.println("    archive " + (i + 1) + ". " + FilesPlan.ARCHIVE_STEPS.get(i));
    }
    for (int i = 0; i < FilesPlan.DELETE_STEPS.size(); i++) {
      out.println("    delete  " + (i + 1) + ". " + FilesPlan.DELETE_STEPS.get(i));
    }
    out.println("  run it with: archive --tableSpec=" + options.getTableSpec() + " (the same request and connection options)");
    return ExitCode.OK;
  }
}
