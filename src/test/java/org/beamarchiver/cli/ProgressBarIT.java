package org.beamarchiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped jar's progress on a real terminal (a pseudo-terminal from util-linux's
 * {@code script}) and in a log: the same throttled delete draws a bar in place with its share of
 * the ledger's rows, the rate and an ETA on the one, and prints lines saying the same on the other.
 */
class ProgressBarIT {
  static final Instant AS_OF = Instant.parse("2026-11-18T12:00:00Z");
  static final Pattern BAR = Pattern.compile(
      "\r\\[beam-archiver\\] \\[[#.]{16}\\] (\\d+)% (ETA \\d+ s|ETA \\d+ min \\d+ s|finishing), [\\d,]+ rows/s, ([\\d,]+)/([\\d,]+) rows\033\\[K");
  static final Pattern LINE = Pattern.compile(
      "(?m)^\\[beam-archiver\\] progress \\d+s .*rowsDeleted=\\d+.* \\((\\d+)% of ([\\d,]+) rows, ([\\d,]+) done, [\\d,]+ rows/s, .*\\)$");

  @TempDir Path dir;

  @Test
  void aTerminalGetsABarAndALogGetsLines() throws Exception {
    String source = TestServers.newPostgresDatabase();
    try (Connection c = DriverManager.getConnection(source); Statement s = c.createStatement()) {
      s.execute(Files.readString(Paths.get("pipelines/jobs-schema.sql")));
      s.execute("SELECT jobs.load_sample(200, '" + AS_OF + "')");
    }
    Path key = dir.resolve("key");
    Files.writeString(key, "progress-bar-it signing key");
    List<String> common = List.of(
        "--tableSpec=" + Paths.get("pipelines/jobs.yaml").toAbsolutePath(), "--sourceJdbcUrl=" + source,
        "--archiveRoot=" + dir.resolve("archive"), "--ledgerUrl=" + TestServers.newPostgresDatabase(),
        "--signingKeyFile=" + key, "--asOf=" + AS_OF, "--period=ALL", "--jdbcSplits=2");
    Cli.expect(0, "archive", common);

    long onTerminal = submissions(source, "campaign-1");
    String tty = run(true, common, "campaign-1");
    Matcher bar = BAR.matcher(tty);
    int draws = 0;
    while (bar.find()) {
      draws++;
      assertEquals(String.format(java.util.Locale.ROOT, "%,d", onTerminal), bar.group(4), "the total is the ledger's rows");
    }
    assertTrue(draws >= 1, "no bar drawn on the terminal: " + tty);
    assertFalse(LINE.matcher(tty).find(), "a terminal gets the bar, not progress lines: " + tty);
    assertTrue(tty.contains("[beam-archiver] finished "), tty);

    long inLog = submissions(source, "campaign-2");
    String log = run(false, common, "campaign-2");
    assertFalse(log.contains("\r"), "a log gets no carriage returns");
    Matcher line = LINE.matcher(log);
    assertTrue(line.find(), "no progress line with the share done: " + log);
    assertEquals(String.format(java.util.Locale.ROOT, "%,d", inLog), line.group(2));
    assertTrue(log.contains("[beam-archiver] finished "), log);
  }

  /** The delete of one batch through the shipped jar, throttled to last over a few progress reports. */
  String run(boolean terminal, List<String> common, String batch) throws Exception {
    List<String> java = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        Paths.get("target/beam-archiver.jar").toAbsolutePath().toString(), "delete"));
    java.addAll(common);
    java.addAll(List.of("--batchIds=" + batch, "--maxDeletesPerSecond=4"));
    List<String> cmd = java;
    if (terminal) {
      // util-linux's script runs the command on a pseudo-terminal and copies what it shows
      cmd = List.of("script", "-qfec", String.join(" ", java.stream().map(ProgressBarIT::shellQuote).toList()), "/dev/null");
    }
    Path out = dir.resolve(batch + ".out");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
        .redirectInput(terminal ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the delete did not end");
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), text);
    return text;
  }

  static long submissions(String url, String campaign) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM jobs.submission WHERE campaign = '" + campaign
            + "' AND updated_at < timestamptz '2026-11-16T00:00:00Z'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
