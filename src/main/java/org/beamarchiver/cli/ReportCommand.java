package org.beamarchiver.cli;

import java.io.PrintStream;
import org.beamarchiver.options.ReportOptions;
import org.beamarchiver.report.BatchReport;

/** {@code report}: one batch's archived and live rows merged into one CSV. */
final class ReportCommand extends Command<ReportOptions> {
  ReportCommand() {
    super(
        "report",
        "one batch's rows from its verified archives and the live table, merged by primary key, as one CSV",
        ReportOptions.class);
  }

  @Override
  ExitCode execute(ReportOptions options, PrintStream out) throws Exception {
    BatchReport.Summary s;
    try {
      s = BatchReport.run(options, line -> out.println("[beam-archiver] " + line));
    } catch (BatchReport.IncompleteException e) {
      out.println("error: " + e.getMessage());
      return ExitCode.FAILURE;
    }
    out.println();
    out.println("Report of batch " + options.getBatchId() + ": " + s.output());
    if (Boolean.TRUE.equals(options.getSummaries())) {
      out.printf(
          "  %d live parent(s) + %d archived parent(s) summarised, and the batch's totals: %d report row(s)%n",
          s.liveRows(), s.archivedRows(), s.reportRows());
      return ExitCode.OK;
    }
    out.printf(
        "  %d archived row(s) from %d file(s) + %d live row(s) - %d duplicate(s) = %d attempt(s), %d report row(s)%n",
        s.archivedRows(), s.archives(), s.liveRows(), s.duplicates(), s.attempts(), s.reportRows());
    if (!s.lacking().isEmpty()) {
      out.println("  INCOMPLETE: the report lacks the rows of " + s.lacking().size() + " archive(s) (also in " + s.output() + ".lacking.txt):");
      s.lacking().forEach(l -> out.println("    " + l));
      return ExitCode.PARTIAL;
    }
    return ExitCode.OK;
  }
}
