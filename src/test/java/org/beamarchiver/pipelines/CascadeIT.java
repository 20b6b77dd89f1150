package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cascade of five PostgreSQL tables (the shipped {@code pipelines/jobs.yaml} and its schema and
 * sample loader): archived together per partition, verified, deleted family by family with a
 * summary row left behind (equal to aggregates computed here independently, in SQL, over the
 * original rows), a family with one changed grandchild kept whole, a delete killed mid-run leaving
 * every family whole or summarised, restored equal to the original with the summaries gone, the
 * SQLite archives queried with the sqlite3 tool and equal byte for byte across runs and runners,
 * and the batch report and the summaries' totals the same before and after.
 */
class CascadeIT {
  static final Instant AS_OF = Instant.parse("2026-11-18T12:00:00Z"); // a Wednesday: its week has not ended
  static final Path SPEC = Paths.get("pipelines/jobs.yaml").toAbsolutePath();
  static final Path SCHEMA = Paths.get("pipelines/jobs-schema.sql").toAbsolutePath();
  static final List<String> TABLES = List.of("submission", "submission_history", "job", "job_history", "job_file");

  @TempDir Path dir;

  record Fixture(String url, List<String> common) {}

  Fixture fixture(String name, int submissions, String... extra) throws Exception {
    return fixture(name, submissions, SPEC, extra);
  }

  Fixture fixture(String name, int submissions, Path spec, String... extra) throws Exception {
    String url = TestServers.newPostgresDatabase();
    sql(url, Files.readString(SCHEMA));
    sql(url, "SELECT jobs.load_sample(" + submissions + ", '" + AS_OF + "')");
    Path key = dir.resolve("key");
    Files.writeString(key, "cascade-it signing key");
    List<String> common = new ArrayList<>(
        List.of(
            "--tableSpec=" + spec, "--sourceJdbcUrl=" + url, "--archiveRoot=" + dir.resolve(name + "-archive"),
            "--ledgerUrl=" + TestServers.newH2Ledger(), "--signingKeyFile=" + key, "--asOf=" + AS_OF,
            "--period=ALL", "--jdbcSplits=3"));
    common.addAll(List.of(extra));
    return new Fixture(url, common);
  }

  static void sql(String url, String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  /** Every row of every table of the cascade. */
  static Map<String, String> all(String url) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    for (String t : TABLES) {
      out.putAll(snapshotOf(url, "jobs." + t));
    }
    return out;
  }

  /** The submissions an ALL archive at AS_OF takes: updated before the current ISO week. */
  static Set<Long> archivable(String url) throws SQLException {
    return longs(url, "SELECT submission_id FROM jobs.submission WHERE updated_at < timestamptz '2026-11-16T00:00:00Z'");
  }

  static Set<Long> longs(String url, String query) throws SQLException {
    Set<Long> out = new TreeSet<>();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  /**
   * The summary each submission should get, computed here over the live rows in plain SQL written
   * apart from the archiver's (the same columns as {@code jobs.archived_submission}).
   */
  static Map<Long, String> expectedSummaries(String url, Set<Long> ids) throws SQLException {
    String q =
        "SELECT s.submission_id, concat_ws('|', s.campaign, s.owner, s.status, s.created_at, s.updated_at,"
            + " (SELECT count(*) FROM jobs.job j WHERE j.submission_id = s.submission_id),"
            + " (SELECT count(*) FROM jobs.job j WHERE j.submission_id = s.submission_id AND j.state = 'completed'),"
            + " (SELECT count(*) FROM jobs.job j WHERE j.submission_id = s.submission_id AND j.state = 'located'),"
            + " (SELECT count(*) FROM jobs.job j WHERE j.submission_id = s.submission_id AND j.state = 'removed'),"
            + " (SELECT count(*) FROM jobs.job j WHERE j.submission_id = s.submission_id AND j.state = 'failed'),"
            + " (SELECT count(*) FROM jobs.job j WHERE j.submission_id = s.submission_id AND j.exit_code = 0),"
            + " (SELECT count(*) FROM jobs.job j WHERE j.submission_id = s.submission_id AND j.exit_code = 1),"
            + " (SELECT count(*) FROM jobs.job j WHERE j.submission_id = s.submission_id AND j.exit_code = 2),"
            + " (SELECT count(*) FROM jobs.job_file f WHERE f.submission_id = s.submission_id),"
            + " (SELECT coalesce(sum(bytes)::text, 'null') FROM jobs.job_file f WHERE f.submission_id = s.submission_id),"
            + " (SELECT string_agg(n::text, ',' ORDER BY b) FROM (SELECT b, (SELECT count(*) FROM jobs.job j"
            + "    WHERE j.submission_id = s.submission_id AND j.efficiency >= b / 10.0"
            + "    AND (j.efficiency < (b + 1) / 10.0 OR (b = 9 AND j.efficiency <= 1.0))) AS n"
            + "    FROM generate_series(0, 9) AS b) h),"
            + " coalesce((SELECT min(at)::text FROM jobs.submission_history h WHERE h.submission_id = s.submission_id AND h.status = 'idle'), 'null'),"
            + " coalesce((SELECT min(at)::text FROM jobs.submission_history h WHERE h.submission_id = s.submission_id AND h.status = 'running'), 'null'),"
            + " coalesce((SELECT max(at)::text FROM jobs.submission_history h WHERE h.submission_id = s.submission_id AND h.status = 'completed'), 'null'),"
            + " coalesce((SELECT max(at)::text FROM jobs.submission_history h WHERE h.submission_id = s.submission_id AND h.status = 'located'), 'null'),"
            + " (SELECT count(*) FROM jobs.job_history x WHERE x.submission_id = s.submission_id))"
            + " FROM jobs.submission s";
    Map<Long, String> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("SET TIME ZONE 'UTC'");
      try (ResultSet rs = s.executeQuery(q)) {
        while (rs.next()) {
          if (ids.contains(rs.getLong(1))) {
            out.put(rs.getLong(1), rs.getString(2));
          }
        }
      }
    }
    return out;
  }

  /** The summary rows the deletes left, in the same form. */
  static Map<Long, String> summaries(String url) throws SQLException {
    String q =
        "SELECT submission_id, concat_ws('|', campaign, owner, status, created_at, updated_at, jobs, jobs_completed,"
            + " jobs_located, jobs_removed, jobs_failed, exit_0, exit_1, exit_2, files, coalesce(file_bytes::text, 'null'),"
            + " (SELECT string_agg(e, ',' ORDER BY o) FROM jsonb_array_elements_text(efficiency) WITH ORDINALITY AS x(e, o)),"
            + " coalesce(first_idle::text, 'null'), coalesce(first_running::text, 'null'), coalesce(completed_at::text, 'null'),"
            + " coalesce(located_at::text, 'null'), job_events) FROM jobs.archived_submission";
    Map<Long, String> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("SET TIME ZONE 'UTC'");
      try (ResultSet rs = s.executeQuery(q)) {
        while (rs.next()) {
          out.put(rs.getLong(1), rs.getString(2));
        }
      }
    }
    return out;
  }

  /** The report, with the options of the fixture that it takes. */
  static String report(List<String> args, String... extra) {
    Set<String> takes = Set.of("--tableSpec", "--sourceJdbcUrl", "--archiveRoot", "--ledgerUrl", "--signingKeyFile");
    return run("report", args.stream().filter(a -> takes.contains(a.substring(0, a.indexOf('=')))).toList(), extra);
  }

  static String run(String command, List<String> args, String... extra) {
    return Cli.expect(0, command, args, extra);
  }

  static List<Path> files(Path root, String suffix) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix) && !p.toString().contains("/_tmp/")).sorted().toList();
    }
  }

  /** Each partition's archive checksum, by partition (the name without the run's time). */
  static Map<String, String> checksums(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (Path p : files(root, ".sqlite")) {
      String name = p.getFileName().toString().replaceFirst("-\\d+\\.sqlite$", "");
      out.put(name, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
    }
    return out;
  }

  static String sqlite3(Path file, String query) throws Exception {
    Process p = new ProcessBuilder(TestServers.sqlite3(), "-batch", "-noheader", file.toString(), query).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out.strip();
  }

  @Test
  void aCascadeIsArchivedSummarisedDeletedAndRestoredWhole() throws Exception {
    Fixture f = fixture("jobs", 240);
    Map<String, String> original = all(f.url());
    Set<Long> archivable = archivable(f.url());
    assertTrue(archivable.size() > 150 && archivable.size() < 240, "the sample spans the current week: " + archivable.size());
    Path reportBefore = dir.resolve("report-before.csv");
    Path totalsBefore = dir.resolve("summaries-before.csv");
    report(f.common(), "--batchId=campaign-2", "--output=" + reportBefore);
    report(f.common(), "--batchId=campaign-2", "--output=" + totalsBefore, "--summaries");

    String archive = run("archive", f.common());
    assertTrue(archive.contains("0 failed"), archive);
    List<Path> sqlite = files(dir.resolve("jobs-archive"), ".sqlite");
    assertTrue(sqlite.size() >= 8, "one SQLite file per (campaign, week): " + sqlite);
    assertTrue(run("verify", f.common()).contains("every file verified"));

    // The archives answer questions with the sqlite3 tool, nothing restored: every archived row is there.
    long jobs = 0;
    long files = 0;
    Set<Long> inArchives = new TreeSet<>();
    for (Path p : sqlite) {
      assertEquals("submission\nsubmission_history\njob\njob_history\njob_file", sqlite3(p, "select name from _archive_tables order by position"));
      jobs += Long.parseLong(sqlite3(p, "select count(*) from job"));
      files += Long.parseLong(sqlite3(p, "select count(*) from job_file where located = 'true'"));
      for (String id : sqlite3(p, "select submission_id from submission").split("\n")) {
        inArchives.add(Long.parseLong(id));
      }
    }
    assertEquals(archivable, inArchives);
    String ids = archivable.toString().replace('[', '(').replace(']', ')');
    assertEquals(longs(f.url(), "SELECT count(*) FROM jobs.job WHERE submission_id IN " + ids).iterator().next(), jobs);
    assertEquals(
        longs(f.url(), "SELECT count(*) FROM jobs.job_file WHERE located AND submission_id IN " + ids).iterator().next(), files);

    // Archived twice more, into other roots, by the DirectRunner and by embedded Flink: the same bytes.
    Fixture again = new Fixture(f.url(), replace(f.common(), "--archiveRoot=", dir.resolve("again").toString(), "--ledgerUrl=", TestServers.newH2Ledger()));
    run("archive", again.common());
    List<String> flinkArgs = new ArrayList<>(replace(f.common(), "--archiveRoot=", dir.resolve("flink").toString(), "--ledgerUrl=", TestServers.newH2Ledger()));
    flinkArgs.addAll(List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"));
    run("archive", flinkArgs);
    Map<String, String> sums = checksums(dir.resolve("jobs-archive"));
    assertEquals(sqlite.size(), sums.size());
    assertEquals(sums, checksums(dir.resolve("again")), "the same rows give the same SQLite bytes");
    assertEquals(sums, checksums(dir.resolve("flink")), "the DirectRunner and Flink write the same SQLite bytes");

    // One grandchild of an archived submission changed after the archive: its family stays whole.
    long changed = longs(f.url(), "SELECT min(submission_id) FROM jobs.job_file WHERE submission_id IN " + ids).iterator().next();
    sql(f.url(), "UPDATE jobs.job_file SET bytes = bytes + 1 WHERE (submission_id, job_id, name) = "
        + "(SELECT submission_id, job_id, name FROM jobs.job_file WHERE submission_id = " + changed + " ORDER BY job_id, name LIMIT 1)");
    Map<String, String> beforeDelete = all(f.url());
    Set<Long> deletable = new TreeSet<>(archivable);
    deletable.remove(changed);
    Map<Long, String> expected = expectedSummaries(f.url(), deletable);
    Path totalsChanged = dir.resolve("summaries-changed.csv");
    report(f.common(), "--batchId=campaign-" + campaignOf(f.url(), changed), "--output=" + totalsChanged, "--summaries");

    Path metrics = dir.resolve("textfile/beam_archiver.prom");
    String delete = run("delete", f.common(), "--metricsFile=" + metrics);
    assertTrue(delete.contains("0 FAILED") || !delete.contains("FAILED"), delete);
    // The run's metrics, read by the Prometheus client's parser: families deleted and skipped, by parent row.
    Map<String, Double> m = org.beamarchiver.notify.RunMetricsTest.parse(metrics);
    String table = "jobs.submission";
    assertEquals((double) deletable.size(), m.get(org.beamarchiver.notify.RunMetricsTest.key(
        "beam_archiver_rows_total", "table", table, "kind", "delete", "what", "deleted")), m.toString());
    assertEquals(1.0, m.get(org.beamarchiver.notify.RunMetricsTest.key(
        "beam_archiver_rows_total", "table", table, "kind", "delete", "what", "skipped_changed")));
    assertTrue(m.get(org.beamarchiver.notify.RunMetricsTest.key(
        "beam_archiver_last_success_timestamp_seconds", "table", table, "kind", "delete")) > AS_OF.getEpochSecond());
    assertEquals(expected, summaries(f.url()), "each summary equals the aggregates computed in SQL over its original rows");
    Map<String, String> afterDelete = all(f.url());
    Map<String, String> left = new TreeMap<>(beforeDelete);
    left.keySet().removeIf(k -> deletable.contains(idOf(k)));
    assertEquals(left, afterDelete, "nothing of a deleted family remains, everything else (the changed family whole) does");
    assertTrue(afterDelete.keySet().stream().anyMatch(k -> k.startsWith("jobs.job_file:") && idOf(k) == changed));

    // Reports: the rows of a batch and the summaries' totals are what they were.
    Path reportAfter = dir.resolve("report-after.csv");
    Path totalsAfter = dir.resolve("summaries-after.csv");
    report(f.common(), "--batchId=campaign-2", "--output=" + reportAfter);
    report(f.common(), "--batchId=campaign-2", "--output=" + totalsAfter, "--summaries");
    assertEquals(Files.readString(reportBefore), Files.readString(reportAfter));
    assertEquals(lastLine(totalsBefore), lastLine(totalsAfter), "archived summaries add up to what the live families did");
    assertTrue(Files.readString(totalsAfter).contains("\n\"archived\","), "archived parents are listed with their summaries");
    assertFalse(Files.readString(totalsBefore).contains("\n\"archived\","));
    Path totalsChangedAfter = dir.resolve("summaries-changed-after.csv");
    report(f.common(), "--batchId=campaign-" + campaignOf(f.url(), changed), "--output=" + totalsChangedAfter, "--summaries");
    assertEquals(lastLine(totalsChanged), lastLine(totalsChangedAfter));

    // Restore: every table as it was, the summaries gone; a second restore changes nothing.
    String restore = run("restore", f.common());
    assertTrue(restore.contains("0 FAILED"), restore);
    assertEquals(beforeDelete, all(f.url()), "every table of the cascade restored equal to the original");
    assertEquals(Map.of(), summaries(f.url()), "the restore removes the summaries");
    run("restore", f.common());
    assertEquals(beforeDelete, all(f.url()));
    assertNotEquals(original, beforeDelete); // the changed grandchild
  }

  @Test
  void aDeleteKilledMidRunLeavesEveryFamilyWholeOrSummarised() throws Exception {
    Path csv = dir.resolve("jobs-csv.yaml");
    Files.writeString(csv, Files.readString(SPEC).replace("format: SQLITE", "format: CSV_GZ"));
    Fixture f = fixture("jobs_kill", 160, csv, "--leaseSeconds=6");
    Set<Long> archivable = archivable(f.url());
    run("archive", f.common());
    assertFalse(files(dir.resolve("jobs_kill-archive"), ".job_history.csv.gz").isEmpty(), "a CSV file per related table");
    // One related table's file of one partition damaged: verify names it, and that partition's families stay whole.
    Path member = files(dir.resolve("jobs_kill-archive"), ".job_file.csv.gz").get(0);
    Path parentFile = member.resolveSibling(member.getFileName().toString().replace(".job_file.csv.gz", ".csv.gz"));
    Set<Long> damaged = new TreeSet<>();
    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(
        new java.util.zip.GZIPInputStream(Files.newInputStream(parentFile)), StandardCharsets.UTF_8))) {
      in.readLine(); // header
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        damaged.add(Long.parseLong(line.substring(1, line.indexOf('"', 1))));
      }
    }
    assertFalse(damaged.isEmpty());
    byte[] bytes = Files.readAllBytes(member);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(member, bytes);
    Cli verify = Cli.run(concat("verify", f.common()));
    assertEquals(6, verify.code(), verify.out());
    assertTrue(verify.out().contains(member.getFileName().toString()), "verify names the damaged file: " + verify.out());
    Map<String, String> before = all(f.url());
    Path jar = Paths.get("target/beam-archiver.jar").toAbsolutePath();
    List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(), "delete"));
    cmd.addAll(f.common());
    cmd.add("--maxDeletesPerSecond=25");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
    // Killed once some families are deleted and others not.
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (p.isAlive() && summaries(f.url()).size() < 20 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    Map<Long, String> summarised = summaries(f.url());
    assertTrue(summarised.size() >= 20 && summarised.size() < archivable.size(), "killed mid-run: " + summarised.size() + "\n" + Files.readString(dir.resolve("killed.log")));
    Map<String, String> now = all(f.url());
    for (long id : archivable) {
      Map<String, String> family = new TreeMap<>(before);
      family.keySet().removeIf(k -> idOf(k) != id);
      Map<String, String> live = new TreeMap<>(now);
      live.keySet().removeIf(k -> idOf(k) != id);
      if (summarised.containsKey(id)) {
        assertEquals(Map.of(), live, "submission " + id + " is summarised, and none of its family is left");
      } else {
        assertEquals(family, live, "submission " + id + " is not summarised, and its family is whole");
      }
    }
    // The next run finishes the job, but for the partition whose archive is damaged; its
    // notification names that partition and why, and no output shows the webhook's token.
    List<String> posted = java.util.Collections.synchronizedList(new ArrayList<>());
    com.sun.net.httpserver.HttpServer hook =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    hook.createContext("/services/", x -> {
      posted.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      x.sendResponseHeaders(200, -1);
      x.close();
    });
    hook.start();
    Cli rerun;
    try {
      rerun = Cli.run(concat("delete", f.common(), "--waitForLeaseSeconds=60",
          "--notifyUrl=http://127.0.0.1:" + hook.getAddress().getPort() + "/services/T0K3N-S3CR3T"));
    } finally {
      hook.stop(0);
    }
    assertEquals(3, rerun.code(), rerun.out());
    assertEquals(1, posted.size(), "one notification");
    com.fasterxml.jackson.databind.JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(posted.get(0));
    assertEquals("delete", body.at("/job/kind").asText());
    assertEquals("jobs.submission", body.at("/job/table").asText());
    assertEquals("COMPLETED_WITH_FAILURES", body.get("state").asText());
    assertEquals(3, body.get("exitCode").asInt());
    assertEquals(1, body.get("problems").size(), body.toString());
    String period = parentFile.getFileName().toString().replaceFirst("^.*-(\\d{4})-(\\d{2})-\\d+\\.csv\\.gz$", "$1-W$2");
    assertEquals(period, body.at("/problems/0/period").asText());
    assertTrue(body.at("/problems/0/reason").asText().contains("job_file"), body.toString());
    assertTrue(body.get("text").asText().contains("delete of jobs.submission: COMPLETED_WITH_FAILURES (exit 3)"), body.toString());
    assertFalse(rerun.out().contains("T0K3N"), "the webhook's token is never shown");
    Set<Long> deletable = new TreeSet<>(archivable);
    deletable.removeAll(damaged);
    assertEquals(deletable, summaries(f.url()).keySet());
    Map<String, String> left = new TreeMap<>(before);
    left.keySet().removeIf(k -> !damaged.contains(idOf(k)));
    Map<String, String> now2 = new TreeMap<>(all(f.url()));
    now2.keySet().removeIf(k -> !damaged.contains(idOf(k)));
    assertEquals(left, now2, "the families of the partition with a damaged archive are whole");
  }

  @Test
  void aDatabaseAwayMidDeleteIsWaitedForAndTheDeleteCompletes() throws Exception {
    Fixture f = fixture("jobs_away", 90);
    Set<Long> archivable = archivable(f.url());
    run("archive", f.common());
    Map<String, String> before = all(f.url());
    java.net.URI u = java.net.URI.create(f.url().substring("jdbc:".length()));
    try (org.beamarchiver.support.FaultProxy proxy = new org.beamarchiver.support.FaultProxy("127.0.0.1", u.getPort())) {
      List<String> args = new ArrayList<>();
      for (String a : f.common()) {
        args.add(a.startsWith("--sourceJdbcUrl=") ? a.replace(":" + u.getPort() + "/", ":" + proxy.port() + "/") : a);
      }
      java.util.concurrent.CompletableFuture<Cli> delete = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> Cli.run(concat("delete", args, "--maxDeletesPerSecond=15", "--maxOutageSeconds=120")));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (summaries(f.url()).size() < 10 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      proxy.down(); // every connection reset, new ones refused: the database is away
      Thread.sleep(6_000);
      int whileAway = summaries(f.url()).size();
      assertTrue(whileAway >= 10 && whileAway < archivable.size(), "the database went away mid-delete: " + whileAway);
      proxy.up();
      Cli d = delete.get(3, TimeUnit.MINUTES);
      assertEquals(0, d.code(), d.out());
    }
    assertEquals(archivable, summaries(f.url()).keySet(), "every family deleted and summarised");
    Map<String, String> left = new TreeMap<>(before);
    left.keySet().removeIf(k -> archivable.contains(idOf(k)));
    assertEquals(left, all(f.url()), "nothing of a deleted family is left, nothing else is touched");
  }

  @Test
  void aSpecTheDatabaseContradictsIsRefusedNamingIt() throws Exception {
    Fixture f = fixture("jobs_bad", 5);
    assertEquals(0, Cli.run(withSpec("plan", f.common(), SPEC)).code(), "the shipped spec fits the shipped schema");
    // A child the spec does not list while a foreign key (ON DELETE RESTRICT) points at a table of the cascade.
    sql(f.url(), "CREATE TABLE jobs.job_note (submission_id bigint, job_id bigint, note text, PRIMARY KEY (submission_id, job_id),"
        + " FOREIGN KEY (submission_id, job_id) REFERENCES jobs.job ON DELETE RESTRICT)");
    Cli r = Cli.run(withSpec("plan", f.common(), SPEC, "--forceRun"));
    assertEquals(2, r.code(), r.out());
    assertTrue(r.out().contains("jobs.job_note") && r.out().contains("does not list job_note among the children of job"), r.out());
    sql(f.url(), "DROP TABLE jobs.job_note");
    // A cascade goes back into its own tables.
    r = Cli.run(concat("restore", f.common(), "--targetTable=other"));
    assertEquals(2, r.code(), r.out());
    assertTrue(r.out().contains("--targetJdbcUrl, --targetTable and --targetKeyspace do not apply"), r.out());
    // A parentKey that disagrees with the database's foreign key.
    sql(f.url(), "ALTER TABLE jobs.job_file ADD COLUMN other_job bigint");
    Path wrong = dir.resolve("wrong.yaml");
    Files.writeString(wrong, Files.readString(SPEC).replace(
        "primaryKey: [submission_id, job_id, name]\n        parentKey: {submission_id: submission_id, job_id: job_id}",
        "primaryKey: [submission_id, job_id, name]\n        parentKey: {submission_id: submission_id, other_job: job_id}"));
    r = Cli.run(withSpec("plan", f.common(), wrong, "--forceRun"));
    assertEquals(2, r.code(), r.out());
    assertTrue(r.out().contains("children[1].children[1].parentKey") && r.out().contains("disagrees"), r.out());
  }

  @Test
  void aCompositeKeyedCascadeWithHostileKeysInParquetComesBackWhole() throws Exception {
    String url = TestServers.newPostgresDatabase();
    sql(url, "CREATE SCHEMA lms2;"
        + " CREATE TABLE lms2.course (org text, course_id text, batch text NOT NULL, updated timestamptz NOT NULL, title text,"
        + "   PRIMARY KEY (org, course_id));"
        + " CREATE TABLE lms2.lesson (org text, course_id text, lesson_no int, body text, PRIMARY KEY (org, course_id, lesson_no),"
        + "   FOREIGN KEY (org, course_id) REFERENCES lms2.course);"
        + " CREATE TABLE lms2.attempt (org text, course_id text, lesson_no int, user_id text, score numeric(6,2),"
        + "   PRIMARY KEY (org, course_id, lesson_no, user_id), FOREIGN KEY (org, course_id, lesson_no) REFERENCES lms2.lesson);"
        + " CREATE TABLE lms2.course_summary (org text, course_id text, batch text, lessons bigint, attempts bigint, best numeric,"
        + "   passed bigint, PRIMARY KEY (org, course_id))");
    String[] orgs = {"o'r,g \"x\"", "é/ü", "100%", "plain"};
    try (Connection c = DriverManager.getConnection(url)) {
      for (int i = 0; i < 40; i++) {
        String org = orgs[i % orgs.length];
        String course = "c/" + i + (i % 3 == 0 ? " ,\"\n" : "");
        try (var ps = c.prepareStatement("INSERT INTO lms2.course VALUES (?, ?, ?, ?, ?)")) {
          ps.setString(1, org);
          ps.setString(2, course);
          ps.setString(3, i % 2 == 0 ? "b,1" : "b'2");
          ps.setObject(4, java.time.OffsetDateTime.parse("2026-10-0" + (1 + i % 9) + "T10:00:00.123456Z"));
          ps.setString(5, i % 5 == 0 ? null : "title " + i);
          ps.executeUpdate();
        }
        for (int l = 0; l < i % 4; l++) {
          try (var ps = c.prepareStatement("INSERT INTO lms2.lesson VALUES (?, ?, ?, ?)")) {
            ps.setString(1, org);
            ps.setString(2, course);
            ps.setInt(3, l);
            ps.setString(4, l == 1 ? "" : "body\n" + l);
            ps.executeUpdate();
          }
          for (int u = 0; u < (i + l) % 3; u++) {
            try (var ps = c.prepareStatement("INSERT INTO lms2.attempt VALUES (?, ?, ?, ?, ?)")) {
              ps.setString(1, org);
              ps.setString(2, course);
              ps.setInt(3, l);
              ps.setString(4, "user " + u + (u == 1 ? " \"q\"" : ""));
              ps.setBigDecimal(5, u == 2 ? null : new java.math.BigDecimal((i * 7 + l * 3 + u) % 100 + ".25"));
              ps.executeUpdate();
            }
          }
        }
      }
    }
    Path spec = dir.resolve("courses.yaml");
    Files.writeString(spec, String.join("\n",
        "archiveType: courses",
        "source: {kind: jdbc, schema: lms2, table: course}",
        "primaryKey: [org, course_id]",
        "batchColumn: batch",
        "timeColumn: updated",
        "collectionColumn: org",
        "format: PARQUET",
        "children:",
        "  - table: lesson",
        "    primaryKey: [org, course_id, lesson_no]",
        "    parentKey: {course_id: course_id, org: org}",
        "    children:",
        "      - {table: attempt, primaryKey: [org, course_id, lesson_no, user_id], parentKey: {org: org, course_id: course_id, lesson_no: lesson_no}}",
        "summary:",
        "  table: course_summary",
        "  copy: {org: org, course_id: course_id, batch: batch}",
        "  columns:",
        "    lessons: {count: lesson}",
        "    attempts: {count: attempt.score}",
        "    best: {max: attempt.score}",
        "    passed: {count: attempt, where: {score: null}}",
        ""));
    Path key = dir.resolve("key2");
    Files.writeString(key, "cascade-it signing key, second");
    List<String> common = List.of(
        "--tableSpec=" + spec, "--sourceJdbcUrl=" + url, "--archiveRoot=" + dir.resolve("courses-archive"),
        "--ledgerUrl=" + TestServers.newH2Ledger(), "--signingKeyFile=" + key, "--asOf=" + AS_OF, "--period=ALL");
    List<String> tables = List.of("course", "lesson", "attempt");
    Map<String, String> original = new TreeMap<>();
    for (String t : tables) {
      original.putAll(snapshotOf(url, "lms2." + t));
    }
    Path before = dir.resolve("courses-before.csv");
    report(common, "--batchId=b,1", "--output=" + before);

    assertTrue(run("archive", common).contains("0 failed"));
    assertFalse(files(dir.resolve("courses-archive"), ".attempt.parquet").isEmpty(), "a Parquet file per related table");
    assertTrue(run("verify", common).contains("every file verified"));
    // Archived again over the first archive: the superseded files go with their related tables' files.
    int parents = files(dir.resolve("courses-archive/archived-batches"), ".parquet").size() / 3;
    assertTrue(parents >= 2, "partitions: " + parents);
    run("archive", common, "--forceArchival");
    for (String t : List.of(".lesson.parquet", ".attempt.parquet")) {
      assertEquals(parents, files(dir.resolve("courses-archive/archived-batches"), t).size(), "one " + t + " per partition");
    }
    assertTrue(run("verify", common).contains("every file verified"), "no orphan left by the superseded archives");
    run("delete", common, "--dryRun");
    Map<String, String> afterDry = new TreeMap<>();
    for (String t : tables) {
      afterDry.putAll(snapshotOf(url, "lms2." + t));
    }
    assertEquals(original, afterDry, "a dry run changes nothing");
    assertEquals(Set.of(), longs(url, "SELECT 1 FROM lms2.course_summary"));

    Set<String> expected = rows(url, "SELECT concat_ws('|', c.org, c.course_id, c.batch,"
        + " (SELECT count(*) FROM lms2.lesson l WHERE (l.org, l.course_id) = (c.org, c.course_id)),"
        + " (SELECT count(a.score) FROM lms2.attempt a WHERE (a.org, a.course_id) = (c.org, c.course_id)),"
        + " coalesce((SELECT max(a.score) FROM lms2.attempt a WHERE (a.org, a.course_id) = (c.org, c.course_id))::text, 'null'),"
        + " (SELECT count(*) FROM lms2.attempt a WHERE (a.org, a.course_id) = (c.org, c.course_id) AND a.score IS NULL))"
        + " FROM lms2.course c");
    run("delete", common);
    assertEquals(Set.of(), longs(url, "SELECT 1 FROM lms2.course UNION ALL SELECT 1 FROM lms2.lesson UNION ALL SELECT 1 FROM lms2.attempt"),
        "every family deleted");
    assertEquals(Set.of(40L), longs(url, "SELECT count(*) FROM lms2.course_summary"));
    assertEquals(expected, rows(url, "SELECT concat_ws('|', org, course_id, batch, lessons, attempts, coalesce(best::text, 'null'), passed)"
        + " FROM lms2.course_summary"), "each summary equals the aggregates computed in SQL over the original rows");
    Path after = dir.resolve("courses-after.csv");
    report(common, "--batchId=b,1", "--output=" + after);
    assertEquals(Files.readString(before), Files.readString(after), "the report reads the archived rows back");

    assertTrue(run("restore", common).contains("0 FAILED"));
    Map<String, String> restored = new TreeMap<>();
    for (String t : tables) {
      restored.putAll(snapshotOf(url, "lms2." + t));
    }
    assertEquals(original, restored, "every table back, value for value");
    assertEquals(Set.of(), longs(url, "SELECT 1 FROM lms2.course_summary"));
  }

  static Set<String> rows(String url, String query) throws SQLException {
    Set<String> out = new TreeSet<>();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** Every row of {@code table} as the database renders it, keyed by the table and the row. */
  static Map<String, String> snapshotOf(String url, String table) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("SET TIME ZONE 'UTC'");
      try (ResultSet rs = s.executeQuery("SELECT t::text FROM " + table + " t")) {
        while (rs.next()) {
          out.put(table + ":" + rs.getString(1), rs.getString(1));
        }
      }
    }
    return out;
  }

  static List<String> concat(String command, List<String> args, String... extra) {
    List<String> out = new ArrayList<>(List.of(command));
    out.addAll(args);
    out.addAll(List.of(extra));
    return out;
  }

  static List<String> withSpec(String command, List<String> common, Path spec, String... extra) {
    List<String> out = new ArrayList<>(List.of(command));
    common.forEach(a -> out.add(a.startsWith("--tableSpec=") ? "--tableSpec=" + spec : a));
    out.addAll(List.of(extra));
    return out;
  }

  static List<String> replace(List<String> args, String option, String value, String option2, String value2) {
    List<String> out = new ArrayList<>();
    for (String a : args) {
      out.add(a.startsWith(option) ? option + value : a.startsWith(option2) ? option2 + value2 : a);
    }
    return out;
  }

  static long campaignOf(String url, long id) throws SQLException {
    return longs(url, "SELECT substr(campaign, 10)::bigint FROM jobs.submission WHERE submission_id = " + id).iterator().next();
  }

  static String lastLine(Path p) throws IOException {
    List<String> lines = Files.readAllLines(p);
    return lines.get(lines.size() - 1);
  }

  /** The submission a snapshot key's row belongs to: its first value. */
  static long idOf(String key) {
    String row = key.substring(key.indexOf(":(") + 2);
    return Long.parseLong(row.substring(0, row.indexOf(',')));
  }
}
