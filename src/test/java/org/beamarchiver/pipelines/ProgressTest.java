package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress reports: a bar redrawn in place on a terminal, lines elsewhere, both with rate and ETA. */
class ProgressTest {
  static final Progress.Goal ROWS = new Progress.Goal(List.of("rowsDeleted", "rowsSkippedChanged"), 10_000, "rows", false);

  static Map<String, Long> counters(long deleted, long skipped) {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("rowsDeleted", deleted);
    m.put("rowsSkippedChanged", skipped);
    m.put("partitionsFailedVerification", 0L);
    return m;
  }

  @Test
  void theBarSaysHowFarHowFastAndWhen() {
    // 2,500 of 10,000 in 10 s: 250 rows/s, 7,500 left: 30 s
    assertEquals("[beam-archiver] [####............] 25% ETA 30 s, 250 rows/s, 2,500/10,000 rows",
        Progress.barLine(ROWS, 2_500, Duration.ofSeconds(10)));
    assertEquals("[beam-archiver] [################] 100% finishing, 1,000 rows/s, 10,000/10,000 rows",
        Progress.barLine(ROWS, 10_000, Duration.ofSeconds(10)));
    // a terminal narrower than the line gets it cut, not wrapped (a wrapped line is not redrawn in place)
    String wide = Progress.barLine(new Progress.Goal(List.of("rowsRead"), 2_700_000_000L, "rows", true), 1_234_567_890L, Duration.ofSeconds(3_600));
    assertEquals("[beam-archiver] [#######.........] 45% ETA 1 h 11 min, 342,936 rows/s, 1,234,567,890/~2,700,000,000 rows", wide);
    assertEquals(79, Progress.fit(wide, 80).length());
    assertEquals(wide.substring(0, 79), Progress.fit(wide, 80));
    assertEquals("short", Progress.fit("short", 80));
    Progress.Goal estimate = new Progress.Goal(List.of("rowsRead"), 1_000_000, "rows", true);
    assertEquals("0% of ~1,000,000 rows, 10 done, 2 rows/s, ETA 138 h 53 min", Progress.along(estimate, 10, Duration.ofSeconds(5)));
    // more than the estimate: full, not past it, and said
    assertEquals("100% of ~1,000,000 rows, 1,200,000 done, 12,000 rows/s, more than estimated",
        Progress.along(estimate, 1_200_000, Duration.ofSeconds(100)));
    assertEquals("2 min 5 s", Progress.eta(125));
  }

  @Test
  void onATerminalTheBarIsRedrawnInPlaceAndNotesStartALineOfTheirOwn() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), true);
    p.expect(ROWS);
    p.progress(counters(1_000, 0), Duration.ofSeconds(5), false);
    p.progress(counters(2_000, 500), Duration.ofSeconds(10), false);
    p.note("partition b/2024-W01 not deleted");
    p.progress(counters(9_000, 500), Duration.ofSeconds(15), false);
    p.progress(counters(9_500, 500), Duration.ofSeconds(16), true);
    String out = buf.toString(StandardCharsets.UTF_8);
    String[] parts = out.split("\r", -1);
    assertEquals("", parts[0]);
    assertTrue(parts[1].startsWith("[beam-archiver] [#.....") && parts[1].endsWith(" 1,000/10,000 rows\033[K"), parts[1]);
    assertTrue(parts[1].length() < 80 + 3, "fits an 80-column terminal: " + parts[1]);
    // the second draw replaces the first on the same line; the note ends the bar's line first
    assertTrue(parts[2].startsWith("[beam-archiver] [####.") && parts[2].contains("] 25% ETA 30 s, 250 rows/s, 2,500/10,000 rows"), parts[2]);
    assertTrue(parts[2].endsWith("\033[K\n[beam-archiver] partition b/2024-W01 not deleted\n"), parts[2]);
    // the last report is a line of its own with every counter
    assertTrue(parts[3].endsWith("\033[K\n[beam-archiver] finished 16s rowsDeleted=9500 rowsSkippedChanged=500 partitionsFailedVerification=0\n"), parts[3]);
    assertEquals(4, parts.length);
  }

  @Test
  void inALogEachReportIsALineWithTheShareDone() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8));
    p.progress(counters(0, 0), Duration.ofSeconds(5), false);
    p.expect(ROWS);
    p.progress(counters(4_000, 1_000), Duration.ofSeconds(10), false);
    p.progress(counters(9_000, 1_000), Duration.ofSeconds(12), true);
    String out = buf.toString(StandardCharsets.UTF_8);
    assertFalse(out.contains("\r"), out);
    assertEquals(List.of(
        "[beam-archiver] progress 5s rowsDeleted=0 rowsSkippedChanged=0 partitionsFailedVerification=0",
        "[beam-archiver] progress 10s rowsDeleted=4000 rowsSkippedChanged=1000 partitionsFailedVerification=0"
            + " (50% of 10,000 rows, 5,000 done, 500 rows/s, ETA 10 s)",
        "[beam-archiver] finished 12s rowsDeleted=9000 rowsSkippedChanged=1000 partitionsFailedVerification=0"),
        out.lines().toList());
  }

  @Test
  void withoutATotalTheTerminalGetsLinesToo() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), true);
    p.expect(new Progress.Goal(List.of("rowsRead"), 0, "rows", true)); // an empty estimate is no total
    p.progress(Map.of("rowsRead", 10L), Duration.ofSeconds(5), false);
    assertEquals("[beam-archiver] progress 5s rowsRead=10\n", buf.toString(StandardCharsets.UTF_8));
  }
}
