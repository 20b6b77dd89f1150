package org.beamarchiver.cli;

import java.io.PrintStream;
import java.time.Clock;
import org.beamarchiver.options.RestoreOptions;
import org.beamarchiver.pipelines.Progress;
import org.beamarchiver.pipelines.RestorePipeline;

/** {@code restore}: write verified archived rows back, into the source table or another. */
final class RestoreCommand extends Command<RestoreOptions> {
  RestoreCommand() {
    super(
        "restore",
        "write the rows of verified archives back into the table (or --targetKeyspace/--targetTable), or a files"
            + " table's files back under its location (or --targetLocation); idempotent",
        RestoreOptions.class);
  }

  @Override
  ExitCode execute(RestoreOptions options, PrintStream out) throws Exception {
    RestorePipeline.Summary s = RestorePipeline.run(options, Clock.systemUTC(), Progress.forConsole(out));
    out.println();
    out.println("Restore summary  run=" + s.runId() + "  into=" + s.target());
    out.println("  " + s.request());
    if (s.partitions().isEmpty()) {
      out.println("  nothing to restore: no archived partition in the request");
      return ExitCode.OK;
    }
    Table t = new Table("batch", "week", "status", s.unit() + " written", "note").longOnOwnLine("note");
    for (RestorePipeline.Outcome o : s.partitions()) {
      t.add(o.batchId(), o.period(), o.status(), Long.toString(o.rows()), o.error() == null ? "" : o.error());
    }
    t.print(out);
    out.printf("  partitions: %d, %d FAILED; %s written: %d%n", s.partitions().size(), s.failed(), s.unit(), s.rows());
    return s.failed() > 0 ? ExitCode.PARTIAL : ExitCode.OK;
  }
}
