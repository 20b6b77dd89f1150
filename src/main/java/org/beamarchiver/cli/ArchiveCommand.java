package org.beamarchiver.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.pipelines.ArchivePipeline;
import org.beamarchiver.pipelines.ArchiveSummary;
import org.beamarchiver.pipelines.FileArchivePipeline;
import org.beamarchiver.pipelines.FileArchiveSummary;
import org.beamarchiver.pipelines.Progress;

/** {@code archive}: finished weeks of the live table to one file per (batch, week), and the ledger. */
final class ArchiveCommand extends Command<ArchiveOptions> {
  ArchiveCommand() {
    super(
        "archive",
        "archive complete ISO weeks of a table: one file (gzip CSV or Parquet) per (batch, week) + a ledger row each",
        ArchiveOptions.class);
  }

  @Override
  ExitCode execute(ArchiveOptions options, PrintStream out) throws Exception {
    if (FileArchivePipeline.servesTable(options)) {
      FileArchiveSummary f = FileArchivePipeline.run(options, Clock.systemUTC(), Progress.forConsole(out));
      print(f, out);
      return f.failedPartitions() > 0 ? ExitCode.PARTIAL : ExitCode.OK;
    }
    ArchiveSummary s = ArchivePipeline.run(options, Clock.systemUTC(), Progress.forConsole(out));
    print(s, out);
    return s.failedPartitions() > 0 ? ExitCode.PARTIAL : ExitCode.OK;
  }

  static void print(ArchiveSummary s, PrintStream out) {
    out.println();
    out.println("Archive summary  run=" + s.run().runId() + "  table=" + s.run().spec().qualifiedTable());
    out.println("  " + s.run().request().describe());
    if (s.run().request().isEmpty()) {
      out.println("  nothing to archive: the request holds no complete week");
      return;
    }
    partitions(s.partitions(), new Table("batch", "week", "status", "rows", "file", "sha256").longOnOwnLine("sha256"), out);
    out.printf(
        "  partitions: %d written, %d failed, %d already archived (skipped), %d failed --maxIterations times (skipped)%n",
        s.partitions().size() - s.failedPartitions(),
        s.failedPartitions(),
        s.run().alreadyArchived().size(),
        s.run().exhausted().size());
    out.printf(
        "  rows: %d read, %d archived, %d outside the request, %d in already archived partitions,"
            + " %d dead letters%n",
        s.counter("rowsRead"),
        s.counter("rowsKept"),
        s.counter("rowsOutsideRequest"),
        s.counter("rowsAlreadyArchived"),
        s.counter("deadLetters"));
    if (s.counter("deadLetters") > 0) {
      out.println("  dead letters (rows that could not be archived, with the reason): " + s.deadLetterFile());
    }
  }

  static void print(FileArchiveSummary s, PrintStream out) {
    out.println();
    out.println("Archive summary  run=" + s.runId() + "  files=" + s.location());
    out.println("  " + s.request().describe());
    if (s.request().isEmpty()) {
      out.println("  nothing to archive: the request holds no complete week");
      return;
    }
    partitions(s.partitions(), new Table("storage", "week", "status", "files", "file list", "sha256"), out);
    out.printf(
        "  partitions: %d written, %d failed, %d already archived and unchanged (skipped), %d failed --maxIterations times (skipped)%n",
        s.partitions().size() - s.failedPartitions(),
        s.failedPartitions(),
        s.counter("partitionsAlreadyArchived"),
        s.exhausted());
    out.printf(
        "  files: %d listed, %d copied (%d bytes), %d carried over from earlier copies, %d outside the request,"
            + " %d in archived partitions, %d failed, %d dead letters%n",
        s.counter("filesListed"),
        s.counter("filesCopied"),
        s.counter("bytesCopied"),
        s.counter("filesCarriedOver"),
        s.counter("filesOutsideRequest"),
        s.counter("filesAlreadyArchived"),
        s.counter("filesFailed"),
        s.counter("deadLetters"));
    if (s.counter("deadLetters") > 0) {
      out.println("  dead letters (files not archived, with the reason): " + s.deadLetterFile());
    }
  }

  /** The run's ledger rows as a table of {@code t}'s six columns: partition, week, status, count, object, SHA-256 or error. */
  private static void partitions(List<LedgerRow> rows, Table t, PrintStream out) {
    for (LedgerRow r : rows) {
      t.add(
          r.batchId(),
          r.period(),
          r.archivalStatus().name(),
          r.rowCount() == null ? "-" : Long.toString(r.rowCount()),
          r.blobUrl() == null ? "-" : r.blobUrl(),
          r.checksumSha256() == null ? String.valueOf(r.errMessage()) : r.checksumSha256());
    }
    t.print(out);
  }
}
