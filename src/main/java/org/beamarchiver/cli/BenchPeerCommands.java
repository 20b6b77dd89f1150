package org.beamarchiver.cli;

import java.io.PrintStream;
import org.beamarchiver.bench.BenchOptions;
import org.beamarchiver.bench.RawDelete;
import org.beamarchiver.bench.RawScan;

/** The benchmark's plain-driver peers, run as their own processes by src/scripts/bench.sh. */
final class BenchPeerCommands {
  private BenchPeerCommands() {}

  static final class Scan extends Command<BenchOptions> {
    Scan() {
      super(
          "bench-scan",
          "benchmark peer: raw driver token-range scan (--output=<file.csv.gz>: minimal archiver)",
          BenchOptions.class);
    }

    @Override
    ExitCode execute(BenchOptions options, PrintStream out) throws Exception {
      RawScan.run(options, out);
      return ExitCode.OK;
    }
  }

  static final class Delete extends Command<BenchOptions> {
    Delete() {
      super(
          "bench-raw-delete",
          "benchmark peer: plain driver deletes of the keys in --output=<archive folder>",
          BenchOptions.class);
    }

    @Override
    ExitCode execute(BenchOptions options, PrintStream out) throws Exception {
      RawDelete.run(options, out);
      return ExitCode.OK;
    }
  }
}
