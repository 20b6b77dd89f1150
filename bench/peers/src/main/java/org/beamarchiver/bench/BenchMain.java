package org.beamarchiver.bench;

import java.util.List;
import org.beamarchiver.cli.Command;
import org.beamarchiver.cli.ExitCode;
import org.beamarchiver.cli.Main;

/**
 * The benchmark's launcher: the product's commands plus its plain-driver peers, which the shipped
 * jar does not contain. src/scripts/bench.sh runs it as its own process with the product jar and
 * this module's jar on the classpath: {@code java -cp beam-archiver.jar:beam-archiver-bench.jar
 * org.beamarchiver.bench.BenchMain bench-scan ...}.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) {
    Main.main(
        args,
        List.of(
            Command.of(
                "bench-scan",
                "benchmark peer: raw driver token-range scan (--output=<file.csv.gz>: minimal archiver)",
                BenchOptions.class,
                (options, out) -> {
                  RawScan.run(options, out);
                  return ExitCode.OK;
                }),
            Command.of(
                "bench-raw-delete",
                "benchmark peer: plain driver deletes of the keys in --output=<archive folder>",
                BenchOptions.class,
                (options, out) -> {
                  RawDelete.run(options, out);
                  return ExitCode.OK;
                })));
  }
}
