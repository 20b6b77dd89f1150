package org.beamarchiver.cli;

import java.io.PrintStream;
import org.beamarchiver.bench.BenchOptions;
import org.beamarchiver.bench.RawDelete;
import org.beamarchiver.bench.RawScan;

/** The benchmark's plain-driver peers, run as their own processes by src/scripts/bench.sh. */
final class BenchPeerCommands {
  private BenchPeerCommands() {}

  static final class Scan implements Command<BenchOptions> {
    @Override
    public String name() {
      return "bench-scan";
    }

    @Override
    public String summary() {
      return "benchmark peer: raw driver token-range scan (--output=<file.csv.gz>: minimal archiver)";
    }

    @Override
    public Class<BenchOptions> optionsClass() {
      return BenchOptions.class;
    }

    @Override
    public ExitCode execute(BenchOptions options, PrintStream out) throws Exception {
      RawScan.run(options, out);
      return ExitCode.OK;
    }
  }

  static final class Delete implements Command<BenchOptions> {
    @Override
    public String name() {
      return "bench-raw-delete";
    }

    @Override
    public String summary() {
      return "benchmark peer: plain driver deletes of the keys in --output=<archive folder>";
    }

    @Override
    public Class<BenchOptions> optionsClass() {
      return BenchOptions.class;
    }

    @Override
    public ExitCode execute(BenchOptions options, PrintStream out) throws Exception {
      RawDelete.run(options, out);
      return ExitCode.OK;
    }
  }
}
