package org.beamarchiver.cli;

import java.io.PrintStream;
import java.time.Instant;
import org.beamarchiver.options.PurgeOptions;
import org.beamarchiver.pipelines.Progress;
import org.beamarchiver.pipelines.PurgeJob;

/** {@code purge}: empty a files table's recycle bin of what was recycled long enough ago. */
final class PurgeCommand extends Command<PurgeOptions> {
  PurgeCommand() {
    super(
        "purge",
        "files tables: remove from the recycle bin what the delete recycled at least --olderThanDays ago; recorded in the ledger",
        PurgeOptions.class);
  }

  @Override
  ExitCode execute(PurgeOptions options, PrintStream out) throws Exception {
    PurgeJob.Summary s = PurgeJob.run(options, Instant.now(), Progress.forConsole(out));
    out.println();
    out.println(
        (s.dryRun() ? "Purge DRY RUN summary (nothing removed)" : "Purge summary") + "  run=" + s.runId() + "  table="
            + s.table() + "  older than " + s.olderThanDays() + " day(s)");
    if (s.folders().isEmpty()) {
      out.println("  nothing to purge: no recycle folder of the table is that old");
      return ExitCode.OK;
    }
    Table t = new Table("batch", "week", "recycled at", "recycle folder", s.dryRun() ? "files (would go)" : "files removed", "status");
    for (PurgeJob.Outcome o : s.folders()) {
      t.add(
          o.folder().batchId(), o.folder().period(), o.folder().recycledAt().toString(), o.folder().recycleUrl(),
          Long.toString(o.files()), o.error() == null ? (s.dryRun() ? "(dry run)" : "PURGED") : "FAILED: " + o.error());
    }
    t.print(out);
    out.printf("  folders: %d, %d FAILED; files %s: %d%n", s.folders().size(), s.failed(), s.dryRun() ? "that would go" : "removed", s.files());
    return s.failed() > 0 ? ExitCode.PARTIAL : ExitCode.OK;
  }
}
