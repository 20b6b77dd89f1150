package org.beamarchiver.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.beamarchiver.support.Browser;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.FaultProxy;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real browser (Debian's headless Chromium through Selenium), over a ledger
 * that real runs filled: a PostgreSQL cascade archived, verified, deleted, one archive damaged
 * before its delete (the partition FAILED) and one before a verify (a verify problem), a batch
 * never verified, one with a hostile id. The written page and the served one show every partition
 * in the state the runs left it, with its row count on hover, load nothing, and say nothing on the
 * console; the served page follows new runs by itself, says when the ledger is away and comes back.
 * Screenshots are kept in {@code target/status-page/}.
 */
class StatusPageIT {
  static final Instant AS_OF = Instant.parse("2026-11-18T12:00:00Z"); // its week (2026-W47) has not ended
  static final Path SPEC = Paths.get("pipelines/jobs.yaml").toAbsolutePath();
  static final Path SCHEMA = Paths.get("pipelines/jobs-schema.sql").toAbsolutePath();
  static final Path ARTIFACTS = Paths.get("target/status-page").toAbsolutePath();
  static final String HOSTILE = "<b>cohort</b> & \"x\" 'é' / 100%";

  @TempDir Path dir;

  @Test
  void theWrittenAndTheServedPageShowWhatTheRunsDid() throws Exception {
    String source = TestServers.newPostgresDatabase();
    sql(source, Files.readString(SCHEMA));
    sql(source, "SELECT jobs.load_sample(300, '" + AS_OF + "')");
    sql(source, "UPDATE jobs.submission SET campaign = '" + HOSTILE.replace("'", "''") + "' WHERE campaign = 'campaign-4'");
    // what the page must show, from the source alone: each batch's weeks and their submissions
    Map<String, Long> rows = weekCounts(source);
    String ledgerUrl = TestServers.newPostgresDatabase();
    URI ledger = URI.create(ledgerUrl.substring("jdbc:".length()));
    Path key = dir.resolve("key");
    Files.writeString(key, "status-page-it signing key");
    Path archive = dir.resolve("archive");
    List<String> common = List.of(
        "--tableSpec=" + SPEC, "--sourceJdbcUrl=" + source, "--archiveRoot=" + archive, "--ledgerUrl=" + ledgerUrl,
        "--signingKeyFile=" + key, "--asOf=" + AS_OF, "--period=ALL", "--jdbcSplits=3");
    List<String> ledgerOnly = common.stream().filter(a -> !a.startsWith("--signingKeyFile=")).toList();

    // the runs: every batch archived; three verified; campaign-0 deleted; campaign-1 deleted with
    // one archive damaged after its verify (that partition FAILED); campaign-2 verified after one
    // archive was damaged (a verify problem); campaign-3 and the hostile batch never verified
    Cli.expect(0, "archive", common);
    Cli.expect(0, "verify", common, "--batchIds=campaign-0,campaign-1,campaign-2");
    Cli.expect(0, "delete", common, "--batchIds=campaign-0");
    String failedWeek = damageOne(archive, "campaign-1");
    Cli.expect(3, "delete", common, "--batchIds=campaign-1");
    String problemWeek = damageOne(archive, "campaign-2");
    Cli.expect(6, "verify", common, "--batchIds=campaign-2");

    Map<String, String> expected = new TreeMap<>();
    for (String cell : rows.keySet()) {
      String batch = cell.substring(0, cell.indexOf('|'));
      String week = cell.substring(cell.indexOf('|') + 1);
      expected.put(cell, switch (batch) {
        case "campaign-0" -> "deleted";
        case "campaign-1" -> week.equals(failedWeek) ? "failed" : "deleted";
        case "campaign-2" -> week.equals(problemWeek) ? "verify-problem" : "archived";
        default -> "unverified";
      });
    }

    Path page = dir.resolve("status page.html");
    String out = Cli.expect(0, "status", ledgerOnly, "--html=" + page);
    assertTrue(out.contains("1 verify problem, 1 failed"), out);
    try (Browser browser = new Browser(dir.resolve("chromium-profile"))) {
      ChromeDriver d = browser.driver();
      d.get(page.toUri().toString());
      assertGrid(d, expected, rows);
      assertEquals(List.of(), browser.consoleErrors(), "the written page's console");
      // it is whole in itself: no script, nothing fetched
      assertEquals(0L, d.executeScript("return document.scripts.length"));
      assertEquals(0L, d.executeScript("return performance.getEntriesByType('resource').length"));
      // the jobs: the archive and both deletes, the second one with failures, as timelines of
      // exactly the transitions the ledger recorded
      List<WebElement> jobs = d.findElements(By.cssSelector("tr.job"));
      assertEquals(3, jobs.size());
      assertEquals("COMPLETED_WITH_FAILURES", jobs.get(0).getAttribute("data-state"));
      for (WebElement job : jobs) {
        assertEquals(transitionCount(ledgerUrl, job.getAttribute("data-job")),
            job.findElements(By.cssSelector(".timeline span")).size(), job.getAttribute("data-job"));
      }
      assertEquals("1", d.findElement(By.cssSelector("[data-verify=problems]")).getText());
      assertTrue(d.findElement(By.cssSelector("#verify tr.problem")).getText().contains(problemWeek));
      assertEquals("free", d.findElement(By.cssSelector("[data-lease]")).getAttribute("data-lease"));
      browser.screenshot(ARTIFACTS.resolve("status-written.png"));

      // the same page served live, the ledger reached through a proxy that can cut it
      try (FaultProxy proxy = new FaultProxy(ledger.getHost(), ledger.getPort())) {
        List<String> served = new ArrayList<>();
        for (String a : ledgerOnly) {
          served.add(a.startsWith("--ledgerUrl=") ? a.replace(":" + ledger.getPort() + "/", ":" + proxy.port() + "/") : a);
        }
        Process serve = startServe(served);
        try {
          String url = servedUrl(serve);
          assertTrue(url.startsWith("http://127.0.0.1:"), url);
          int port = URI.create(url).getPort();
          // listening on 127.0.0.1 only: another loopback address of this machine is refused
          assertThrows(ConnectException.class, () -> new Socket("127.0.0.2", port).close());
          d.get(url);
          assertGrid(d, expected, rows);
          // a new run: the open page reloads itself and shows it
          Cli.expect(0, "verify", common, "--batchIds=campaign-3");
          expected.replaceAll((cell, state) -> cell.startsWith("campaign-3|") ? "archived" : state);
          new WebDriverWait(d, Duration.ofSeconds(30)).ignoring(WebDriverException.class).until(x -> states(cells(x)).equals(expected));
          // the ledger away: the page says so, and comes back with it
          proxy.down();
          new WebDriverWait(d, Duration.ofSeconds(60)).ignoring(WebDriverException.class).until(x -> !x.findElements(By.id("unavailable")).isEmpty());
          proxy.up();
          new WebDriverWait(d, Duration.ofSeconds(60)).ignoring(WebDriverException.class).until(x -> !x.findElements(By.id("grid")).isEmpty());
          assertGrid(d, expected, rows);
          // the page asked only for itself (the 503 page shows up as one failed load while away)
          List<String> errors = browser.consoleErrors();
          assertTrue(errors.stream().allMatch(e -> e.contains("503")), errors.toString());
          browser.screenshot(ARTIFACTS.resolve("status-served.png"));
        } finally {
          serve.destroy();
          assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve stops on SIGTERM");
        }
        String log = Files.readString(dir.resolve("serve.log"));
        assertTrue(log.contains("cannot read the ledger"), log);
        assertTrue(log.contains("the ledger can be read again"), log);
      }

      // the console check can fail: a page that loads from the network is caught
      Path bad = dir.resolve("bad.html");
      Files.writeString(bad, Files.readString(page).replace("</body>", "<img src=\"http://127.0.0.1:9/x.png\"></body>"));
      d.get(bad.toUri().toString());
      assertFalse(browser.consoleErrors().isEmpty(), "a blocked load must show on the console");
    }
  }

  /**
   * The grid's cells as the browser has them, read in one script (a served page reloads itself
   * every 2 s, between two reads of elements): batch, week, state, rows, title, and the cells and
   * week columns of the row.
   */
  static final String CELLS =
      "const weeks = document.querySelectorAll('#grid thead tr:nth-child(2) th[title]').length;"
          + " return Array.from(document.querySelectorAll('#grid tbody tr')).flatMap(tr =>"
          + " Array.from(tr.querySelectorAll('td.cell')).map(td => ({batch: tr.dataset.batch, week: td.dataset.week,"
          + " state: td.dataset.state || '', rows: td.dataset.rows || '', title: td.title,"
          + " cells: tr.querySelectorAll('td.cell').length, weeks: weeks})));";

  /** {@link #CELLS}, tried again when it ran into a reload (the script's page went away under it). */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> cells(WebDriver d) {
    for (int attempt = 1; ; attempt++) {
      try {
        Object r = ((JavascriptExecutor) d).executeScript(CELLS);
        return r == null ? List.of() : (List<Map<String, Object>>) r;
      } catch (WebDriverException e) {
        if (attempt == 10) {
          throw e;
        }
        try {
          Thread.sleep(300);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Every batch x week of {@code expected} is a cell in its state with its rows in its title; no others. */
  static void assertGrid(WebDriver d, Map<String, String> expected, Map<String, Long> rows) {
    List<Map<String, Object>> cells = cells(d);
    assertEquals(expected, states(cells));
    for (Map<String, Object> c : cells) {
      // one column per week from the first to the last: every row as wide as the header
      assertEquals(c.get("weeks"), c.get("cells"));
      if (!c.get("state").equals("")) {
        Long n = rows.get(c.get("batch") + "|" + c.get("week"));
        assertEquals(String.valueOf(n), c.get("rows"));
        String title = (String) c.get("title");
        assertTrue(title.contains(String.format(java.util.Locale.ROOT, "%,d rows archived", n)), title);
      }
    }
  }

  /** The grid as the browser shows it: batch|week to the state of its cell. */
  static Map<String, String> states(List<Map<String, Object>> cells) {
    Map<String, String> out = new TreeMap<>();
    for (Map<String, Object> c : cells) {
      if (!c.get("state").equals("")) {
        out.put(c.get("batch") + "|" + c.get("week"), (String) c.get("state"));
      }
    }
    return out;
  }

  /** batch|ISO week to its submissions, of the weeks before AS_OF's. */
  static Map<String, Long> weekCounts(String url) throws SQLException {
    Map<String, Long> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT campaign, to_char(updated_at AT TIME ZONE 'UTC', 'IYYY-\"W\"IW'), count(*) FROM jobs.submission"
                + " WHERE updated_at < timestamptz '2026-11-16T00:00:00Z' GROUP BY 1, 2")) {
      while (rs.next()) {
        out.put(rs.getString(1) + "|" + rs.getString(2), rs.getLong(3));
      }
    }
    return out;
  }

  static int transitionCount(String ledger, String jobId) throws SQLException {
    try (Connection c = DriverManager.getConnection(ledger);
        var ps = c.prepareStatement("SELECT count(*) FROM archiver_job_transition WHERE job_id = ?")) {
      ps.setString(1, jobId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Changes one byte of the batch's first archive file; returns its week (YYYY-Www). */
  static String damageOne(Path archive, String batch) throws IOException {
    Pattern name = Pattern.compile(Pattern.quote(batch) + "-(\\d{4})-(\\d{2})-\\d+\\.sqlite");
    try (Stream<Path> files = Files.list(archive.resolve("archived-batches/jobs"))) {
      Path file = files.filter(p -> name.matcher(p.getFileName().toString()).matches()).sorted().findFirst().orElseThrow();
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        f.seek(f.length() / 2);
        int b = f.read();
        f.seek(f.length() / 2);
        f.write(b ^ 0xff);
      }
      Matcher m = name.matcher(file.getFileName().toString());
      assertTrue(m.matches());
      return m.group(1) + "-W" + m.group(2);
    }
  }

  static void sql(String url, String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  Process startServe(List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        Paths.get("target/beam-archiver.jar").toAbsolutePath().toString(), "serve"));
    cmd.addAll(args);
    cmd.addAll(List.of("--port=0", "--refreshSeconds=2"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile()).start();
  }

  /** The URL serve prints once it listens. */
  String servedUrl(Process serve) throws Exception {
    Pattern at = Pattern.compile("Serving the status page of .* at (http://\\S+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (BufferedReader r = Files.newBufferedReader(dir.resolve("serve.log"), StandardCharsets.UTF_8)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          Matcher m = at.matcher(line);
          if (m.find()) {
            return m.group(1);
          }
        }
      }
      assertTrue(serve.isAlive(), () -> "serve ended: " + read(dir.resolve("serve.log")));
      Thread.sleep(200);
    }
    throw new AssertionError("serve printed no URL: " + read(dir.resolve("serve.log")));
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
