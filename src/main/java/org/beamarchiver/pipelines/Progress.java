package org.beamarchiver.pipelines;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** Where a command reports notes and progress lines (the CLI prints them; tests may collect). */
public class Progress {
  private final PrintStream out;

  public Progress(PrintStream out) {
    this.out = out;
  }

  public void note(String message) {
    out.println("[beam-archiver] " + message);
  }

  public void progress(Map<String, Long> counters, Duration elapsed, boolean finished) {
    String values =
        counters.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" "));
    out.printf(
        "[beam-archiver] %s %ds %s%n",
        finished ? "finished" : "progress",
        elapsed.toSeconds(),
        values.isEmpty() ? "(metrics not yet reported by the runner)" : values);
  }
}
