package org.beamarchiver.pipelines;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.beamarchiver.model.Durations;

/**
 * Where a command reports notes and progress (the CLI prints them; tests may collect). Every five
 * seconds a run reports its counters. When the run's total is known ({@link #expect}: a delete's
 * or restore's rows from the ledger, an archive's from the table's size estimates) the report also
 * says how far along it is, how fast, and when it should end. On a terminal it is one progress bar
 * redrawn in place; in logs and CI (no terminal) each report is one line.
 */
public class Progress {
  /**
   * What a run's progress is measured against: the counters that add up to the work done, the
   * total they should reach, the unit ("rows"), and whether the total is an estimate.
   */
  public record Goal(List<String> counters, long total, String unit, boolean estimated) {
    public Goal {
      counters = List.copyOf(counters);
    }

    /** The work done so far, by the counters. */
    long done(Map<String, Long> values) {
      long sum = 0;
      for (String c : counters) {
        Long v = values.get(c);
        sum += v == null ? 0 : v;
      }
      return sum;
    }
  }

  static final int BAR_WIDTH = 16;

  private final PrintStream out;
  private final boolean bar;
  private volatile Goal goal;
  private boolean barShown;

  /** Reports as lines (logs, tests). */
  public Progress(PrintStream out) {
    this(out, false);
  }

  /** {@code bar}: redraw one progress bar in place (a terminal) instead of printing lines. */
  public Progress(PrintStream out, boolean bar) {
    this.out = out;
    this.bar = bar;
  }

  /**
   * A progress bar when standard input and output are a terminal (and {@code TERM} is not
   * {@code dumb}), lines otherwise: a scheduler's log or CI gets lines.
   */
  public static Progress forConsole(PrintStream out) {
    return new Progress(out, out == System.out && System.console() != null && !"dumb".equals(System.getenv("TERM")));
  }

  /** The total the next reports measure against (null: not known; the reports say no more than the counters). */
  public void expect(Goal goal) {
    this.goal = goal == null || goal.total() <= 0 ? null : goal;
  }

  public synchronized void note(String message) {
    endBar();
    out.println("[beam-archiver] " + message);
  }

  public synchronized void progress(Map<String, Long> counters, Duration elapsed, boolean finished) {
    Goal g = goal;
    if (bar && !finished && g != null && !counters.isEmpty()) {
      // \r back to the line's start, the bar, then erase what a longer line before left
      out.print("\r" + fit(barLine(g, g.done(counters), elapsed), columns()) + "\033[K");
      out.flush();
      barShown = true;
      return;
    }
    endBar();
    String values =
        counters.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" "));
    out.printf(
        "[beam-archiver] %s %ds %s%s%n",
        finished ? "finished" : "progress",
        elapsed.toSeconds(),
        values.isEmpty() ? "(metrics not yet reported by the runner)" : values,
        g == null || finished || counters.isEmpty() ? "" : " (" + along(g, g.done(counters), elapsed) + ")");
  }

  /** Ends a bar on screen, if any (a run that failed sends no last report). */
  public synchronized void end() {
    endBar();
  }

  /** Ends a bar on screen with its line, so what comes next starts on a line of its own. */
  private void endBar() {
    if (barShown) {
      out.println();
      barShown = false;
    }
  }

  /**
   * {@code [beam-archiver] [######..........] 42% ETA 4 s, 410 rows/s, 1,234/2,900 rows}: what
   * matters first, so a narrow terminal cuts the least useful part.
   */
  static String barLine(Goal g, long done, Duration elapsed) {
    double fraction = Math.min(1.0, (double) done / g.total());
    int filled = (int) Math.floor(fraction * BAR_WIDTH);
    double rate = done / Math.max(0.001, elapsed.toMillis() / 1000.0);
    String when = done >= g.total() ? (g.estimated() ? "more than estimated" : "finishing")
        : rate > 0 ? "ETA " + eta(Math.round((g.total() - done) / rate)) : "ETA unknown";
    return "[beam-archiver] [" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] "
        + Math.min(100, (long) Math.floor(100.0 * done / g.total())) + "% " + when + ", "
        + count(Math.round(rate)) + " " + g.unit() + "/s, " + count(done) + "/" + (g.estimated() ? "~" : "")
        + count(g.total()) + " " + g.unit();
  }

  /** The line cut to the terminal's width: a wrapped line would not be redrawn in place. */
  static String fit(String line, int columns) {
    return line.length() < columns ? line : line.substring(0, Math.max(1, columns - 1));
  }

  /** The terminal's width from {@code COLUMNS} (shells export it), else 80. */
  static int columns() {
    try {
      String c = System.getenv("COLUMNS");
      return c == null ? 80 : Math.max(20, Integer.parseInt(c.trim()));
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  /** {@code 42% of 2,900 rows, 1,234 done, 410 rows/s, ETA 4 s}; "~" marks an estimated total. */
  static String along(Goal g, long done, Duration elapsed) {
    double seconds = Math.max(0.001, elapsed.toMillis() / 1000.0);
    double rate = done / seconds;
    long percent = Math.min(100, (long) Math.floor(100.0 * done / g.total()));
    String tilde = g.estimated() ? "~" : "";
    StringBuilder sb = new StringBuilder()
        .append(percent).append("% of ").append(tilde).append(count(g.total())).append(' ').append(g.unit())
        .append(", ").append(count(done)).append(" done, ")
        .append(count(Math.round(rate))).append(' ').append(g.unit()).append("/s");
    if (done >= g.total()) {
      sb.append(g.estimated() ? ", more than estimated" : ", finishing");
    } else if (rate > 0) {
      sb.append(", ETA ").append(eta(Math.round((g.total() - done) / rate)));
    }
    return sb.toString();
  }

  static String eta(long seconds) {
    return Durations.human(Duration.ofSeconds(Math.max(1, seconds)));
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
