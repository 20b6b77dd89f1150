package org.beamarchiver.pipelines;

import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.ledger.ArchiveStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import java.util.Arrays;
import org.beamarchiver.io.jdbc.JdbcRowText;
import org.beamarchiver.io.jdbc.JdbcTable;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.options.JdbcSourceOptions;
import org.beamarchiver.spec.TableSpecLoader;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.options.DeleteOptions;
import org.beamarchiver.support.ArchiveFiles;
import org.beamarchiver.support.TestServers;
import org.beamarchiver.support.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL table as the source ({@code source.kind: jdbc}), on a real PostgreSQL: the same
 * pipelines archive it (JdbcIO over time slices), verify, delete only rows unchanged since archived
 * (including a row changed in the very transaction window of the delete), and restore it equal to
 * the original. Values of many SQL types, nulls, microsecond times and hostile batch ids.
 */
class JdbcSourceIT {
  static final Instant AS_OF = Instant.parse("2021-01-13T12:00:00Z"); // 2021-W02 has not ended
  static final String COLUMNS =
      "batch_id, user_id, attempt_id, course_id, score, ratio, passed, answers, tags, raw, started, created_on,"
          + " updated_at, note";
  static final String[] BATCHES = {"b/1 é", "100%", "../x", "plain"};

  @TempDir Path dir;

  /** Not an AssessmentFixture: the source is a PostgreSQL table of its own, with a spec written here. */
  record Fixture(String sourceUrl, Path spec, List<String> common, Map<String, String> original, int noTime) {}

  Fixture fixture(String name) throws Exception {
    String url = TestServers.newPostgresDatabase();
    int noTime = 0;
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA lms");
      s.execute(
          "CREATE TABLE lms.attempts (batch_id text, user_id text, attempt_id bigint, course_id text NOT NULL,"
              + " score numeric(9,3), ratio double precision, passed boolean, answers jsonb, tags text[], raw bytea,"
              + " started date, created_on timestamp, updated_at timestamptz, note text,"
              + " PRIMARY KEY (batch_id, user_id, attempt_id))");
      Random random = new Random(name.hashCode());
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO lms.attempts (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?::jsonb,?,?,?,?,?,?)")) {
        for (int i = 0; i < 700; i++) {
          // 20 days before AS_OF: weeks 2020-W51 to 2021-W02 (the last one not ended), micros kept.
          Instant t = AS_OF.minusSeconds(random.nextInt(20 * 86400)).minusNanos(random.nextInt(1_000_000) * 1000L);
          boolean timeless = i % 97 == 5;
          noTime += timeless ? 1 : 0;
          ps.setString(1, BATCHES[i % BATCHES.length]);
          ps.setString(2, "user-" + (i % 37) + (i % 11 == 0 ? " \"quoted\", comma" : ""));
          ps.setLong(3, i);
          ps.setString(4, "course-" + (i % 3));
          ps.setBigDecimal(5, i % 13 == 0 ? null : new java.math.BigDecimal(random.nextInt(100000)).movePointLeft(3));
          ps.setDouble(6, i % 17 == 0 ? 1e-7 / (i + 1) : random.nextDouble());
          if (i % 19 == 0) {
            ps.setNull(7, java.sql.Types.BOOLEAN);
          } else {
            ps.setBoolean(7, random.nextBoolean());
          }
          ps.setString(8, i % 7 == 0 ? null : "{\"q\": [" + i + ", \"ü\\n\"], \"ok\": true}");
          ps.setArray(9, c.createArrayOf("text", new String[] {"a,b", "é", i % 2 == 0 ? "x" : "{y}"}));
          ps.setBytes(10, i % 5 == 0 ? null : new byte[] {0, (byte) i, -1, 10});
          ps.setObject(11, LocalDate.of(2020, 1 + i % 12, 1 + i % 28));
          ps.setObject(12, LocalDateTime.ofInstant(t.minusSeconds(3600), ZoneOffset.UTC));
          ps.setObject(13, timeless ? null : t.atOffset(ZoneOffset.UTC));
          ps.setString(14, i % 23 == 0 ? "line1\nline2,\"x\"" : i % 29 == 0 ? "" : "n" + i);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    Path spec = dir.resolve(name + ".yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "archiveType: " + name,
            "source:",
            "  kind: jdbc",
            "  schema: lms",
            "  table: attempts",
            "primaryKey: [batch_id, user_id, attempt_id]",
            "batchColumn: batch_id",
            "timeColumn: updated_at",
            "collectionColumn: course_id",
            "rollup:",
            "  distinct: [user_id]",
            "  numeric: [score, ratio]",
            ""));
    Path key = dir.resolve("key");
    Files.writeString(key, "jdbc-source-it signing key");
    List<String> common =
        List.of(
            "--tableSpec=" + spec, "--sourceJdbcUrl=" + url, "--archiveRoot=" + dir.resolve(name + "-archive"),
            "--ledgerUrl=" + TestServers.newH2Ledger(), "--signingKeyFile=" + key, "--asOf=" + AS_OF,
            "--period=ALL", "--jdbcSplits=7");
    return new Fixture(url, spec, common, table(url), noTime);
  }

  /** Every row as the database renders it (not through the archiver's own text), by key. */
  static Map<String, String> table(String url) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("SET TIME ZONE 'UTC'");
      try (ResultSet rs = s.executeQuery("SELECT " + COLUMNS + " FROM lms.attempts")) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          StringBuilder b = new StringBuilder();
          for (int i = 1; i <= n; i++) {
            b.append(rs.getMetaData().getColumnName(i)).append('=').append(rs.getString(i)).append('|');
          }
          out.put(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getLong(3), b.toString());
        }
      }
    }
    return out;
  }

  /** Keys of the rows an ALL archive at AS_OF takes: a time, in a week that has ended. */
  static Set<String> archivable(String url) throws SQLException {
    Set<String> out = new HashSet<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT batch_id, user_id, attempt_id, updated_at FROM lms.attempts")) {
      IsoWeek current = IsoWeek.of(AS_OF);
      while (rs.next()) {
        OffsetDateTime t = rs.getObject(4, OffsetDateTime.class);
        if (t != null && IsoWeek.of(t.toInstant()).compareTo(current) < 0) {
          out.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getLong(3));
        }
      }
    }
    return out;
  }

  static void sql(String url, String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  @Test
  void aPostgresTableIsArchivedVerifiedDeletedAndRestored() throws Exception {
    Fixture f = fixture("attempts_jdbc");
    Set<String> archivable = archivable(f.sourceUrl());
    assertTrue(archivable.size() > 400 && archivable.size() < f.original().size() - f.noTime(), "the fixture spans the current week");

    String plan = run("plan", f.common());
    assertTrue(plan.contains(" to write (" + archivable.size() + " rows)"), plan);
    // One batch first (its ids pushed into the read's SQL), then the rest.
    List<String> oneBatch = new ArrayList<>(f.common());
    oneBatch.add("--batchIds=100%");
    String first = run("archive", oneBatch);
    assertTrue(first.contains("partitions: 3 written, 0 failed"), first);
    long timelessOfBatch = f.original().entrySet().stream()
        .filter(e -> e.getKey().startsWith("100%|") && e.getValue().contains("|updated_at=null|")).count();
    long archivableOfBatch = archivable.stream().filter(k -> k.startsWith("100%|")).count();
    assertTrue(
        first.contains("rows: " + (archivableOfBatch + timelessOfBatch) + " read, " + archivableOfBatch + " archived"),
        "only the batch's rows in the window are read: " + first);
    String archive = run("archive", f.common());
    assertTrue(archive.contains("partitions: 9 written, 0 failed, 3 already archived"), archive);
    assertTrue(archive.contains(f.noTime() + " dead letters"), "rows without a time go to the dead letters: " + archive);
    assertTrue(archive.matches("(?s).*partitions: \\d+ written, 0 failed.*"), archive);
    // Every archivable row is in exactly one file, once: the files' keys are exactly the archivable keys.
    Set<String> archived = new HashSet<>();
    int lines = 0;
    for (Map<String, String> row : archivedRows(dir.resolve("attempts_jdbc-archive"))) {
      archived.add(row.get("batch_id") + "|" + row.get("user_id") + "|" + row.get("attempt_id"));
      lines++;
    }
    assertEquals(archivable, archived);
    assertEquals(archivable.size(), lines);
    assertTrue(run("verify", f.common()).contains("every file verified"));

    // Between archive and delete: one archived row updated, one deleted by the application.
    List<String> keys = new ArrayList<>(new TreeMap<>(f.original()).keySet());
    keys.retainAll(archivable);
    String changed = keys.get(3);
    String gone = keys.get(10);
    sql(f.sourceUrl(), "UPDATE lms.attempts SET note = 'changed', updated_at = updated_at + interval '1 microsecond'" + where(changed));
    sql(f.sourceUrl(), "DELETE FROM lms.attempts" + where(gone));
    Map<String, String> beforeDelete = table(f.sourceUrl());

    String delete = run("delete", f.common());
    Map<String, String> afterDelete = table(f.sourceUrl());
    Map<String, String> expected = new TreeMap<>(beforeDelete);
    expected.keySet().removeIf(k -> archivable.contains(k) && !k.equals(changed));
    assertEquals(expected, afterDelete, "exactly the unchanged archived rows are deleted: " + delete);

    String restore = run("restore", f.common());
    assertTrue(restore.contains("0 FAILED"), restore);
    Map<String, String> restored = new TreeMap<>(f.original());
    restored.put(changed, beforeDelete.get(changed)); // newer than its archive: kept as changed
    assertEquals(restored, table(f.sourceUrl()), "restored equal to the original, value for value");
    assertNotEquals(f.original().get(changed), restored.get(changed));
    assertEquals(List.of(), ArchiveFiles.list(dir.resolve("attempts_jdbc-archive/_tmp")), "no run leaves temporary files");
  }

  /** The archive's progress total: PostgreSQL's planner estimate of the rows the read returns. */
  @Test
  void theArchiveKnowsAboutHowManyRowsItWillRead() throws Exception {
    Fixture f = fixture("attempts_estimate");
    sql(f.sourceUrl(), "ANALYZE lms.attempts");
    ArchiveOptions o = PipelineOptionsFactory.fromArgs(f.common().toArray(new String[0])).as(ArchiveOptions.class);
    org.beamarchiver.io.source.LiveSource source = org.beamarchiver.io.LiveSources.of(TableSpecLoader.load(f.spec()), o);
    org.beamarchiver.io.source.ReadPlan plan = source.planRead(org.beamarchiver.options.Requests.from(o, AS_OF));
    Set<String> archivable = archivable(f.sourceUrl());
    long read = archivable.size() + f.noTime();
    long estimate = source.estimateRowsRead(plan, Set.of()).orElseThrow();
    assertTrue(Math.abs(estimate - read) <= read / 4, "estimate " + estimate + ", read " + read);
    long readOfBatch = f.original().keySet().stream()
        .filter(k -> k.startsWith("plain|") && (archivable.contains(k) || f.original().get(k).contains("|updated_at=null|")))
        .count();
    long estimateOfBatch = source.estimateRowsRead(plan, Set.of("plain")).orElseThrow();
    assertTrue(Math.abs(estimateOfBatch - readOfBatch) <= Math.max(10, readOfBatch / 3), "estimate " + estimateOfBatch + ", read " + readOfBatch);
  }

  @Test
  void aRowChangedInsideTheDeleteIsKept() throws Exception {
    Fixture f = fixture("attempts_race");
    Set<String> archivable = archivable(f.sourceUrl());
    ArchiveOptions ao = PipelineOptionsFactory.fromArgs(f.common().toArray(new String[0])).as(ArchiveOptions.class);
    ArchiveSummary a = ArchivePipeline.run(ao, Clock.fixed(AS_OF, ZoneOffset.UTC), new Progress(quiet()));
    assertEquals(0, a.failedPartitions());
    String raced = new TreeMap<>(f.original()).keySet().stream().filter(archivable::contains).skip(5).findFirst().orElseThrow();
    RaceHook.FIRED.set(false);
    DeleteOptions o = PipelineOptionsFactory.fromArgs(f.common().toArray(new String[0])).as(DeleteOptions.class);
    DeleteSummary d =
        DeletePipeline.run(o, Clock.fixed(AS_OF, ZoneOffset.UTC), new Progress(quiet()), new RaceHook(f.sourceUrl(), raced));
    assertTrue(RaceHook.FIRED.get(), "the race was run");
    Map<String, String> after = table(f.sourceUrl());
    assertTrue(after.containsKey(raced) && after.get(raced).contains("note=raced|"), "the raced row is kept, with its change");
    Set<String> left = new HashSet<>(after.keySet());
    left.retainAll(archivable);
    assertEquals(Set.of(raced), left, "every other archived row is deleted");
    assertEquals(1, d.total(DeletionReportFields::skippedChanged));
    assertEquals(archivable.size() - 1, d.total(DeletionReportFields::deleted));
    for (LedgerRow r : a.partitions()) {
      assertEquals(ArchiveStatus.SUCCESS, r.archivalStatus());
    }
  }

  /**
   * The canonical text of a row is the same on every run of a statement: PostgreSQL's driver turns
   * to binary transfer after five, which renders {@code text[]} differently (a delete that compared
   * such text found 180 of 600 unchanged rows "changed").
   */
  @Test
  void aRowReadsTheSameOnEveryRunOfAStatement() throws Exception {
    Fixture f = fixture("attempts_text");
    JdbcSourceOptions o = PipelineOptionsFactory.fromArgs(f.common().toArray(new String[0])).as(ArchiveOptions.class);
    JdbcEndpoint source = JdbcTable.connection(o);
    try (Connection c = source.open()) {
      JdbcTable table = JdbcTable.resolve(c, TableSpecLoader.load(f.spec()));
      JdbcRowText text = new JdbcRowText(table);
      List<List<String>> first = null;
      for (int run = 0; run < 10; run++) {
        try (PreparedStatement ps = c.prepareStatement(table.selectSql() + " WHERE batch_id = ? ORDER BY user_id, attempt_id")) {
          ps.setString(1, BATCHES[0]);
          try (ResultSet rs = ps.executeQuery()) {
            List<List<String>> rows = text.mapAll(rs).stream().map(r -> Arrays.asList(r.values())).toList();
            assertTrue(rows.size() > 100);
            if (first == null) {
              first = rows;
            }
            assertEquals(first, rows, "run " + run);
          }
        }
      }
    }
  }

  @Test
  void aSpecThatDoesNotFitTheTableIsRefusedByName() throws Exception {
    Fixture f = fixture("attempts_misfit");
    String spec = Files.readString(f.spec());
    Path upper = dir.resolve("upper.yaml");
    Files.writeString(upper, spec.replace("table: attempts", "table: Attempts"));
    String out = fail(f, upper);
    assertTrue(out.contains("'lms.Attempts'") && out.contains("'lms.attempts' does") && out.contains("lower case"), out);
    Path key = dir.resolve("key.yaml");
    Files.writeString(key, spec.replace("primaryKey: [batch_id, user_id, attempt_id]", "primaryKey: [batch_id, attempt_id]"));
    out = fail(f, key);
    assertTrue(out.contains("primaryKey [batch_id, attempt_id] differs") && out.contains("[batch_id, user_id, attempt_id]"), out);
    Path time = dir.resolve("time.yaml");
    Files.writeString(time, spec.replace("timeColumn: updated_at", "timeColumn: started"));
    out = fail(f, time);
    assertTrue(out.contains("timeColumn 'started' must be a timestamp column; it is date"), out);
  }

  /**
   * The shipped example's shape: a lifecycle of files (order 1) then one of a PostgreSQL table
   * (order 2) whose storage changed at the start of 2021-W01; one launch runs the files first, then
   * the two row storages, each archiving the rows of the weeks its dates touch, together every
   * archivable row once; a restore of the row lifecycle into a location is refused.
   */
  @Test
  void aLifecycleOfFilesThenOneOfAPostgresTableRunInOrderEachStorageItsOwnWeeks() throws Exception {
    Fixture f = fixture("lc_rows");
    Path lake = dir.resolve("lake");
    Files.createDirectories(lake.resolve("dt=2020-12-21"));
    Files.writeString(lake.resolve("dt=2020-12-21/events.json"), "{\"e\": 1}\n");
    Path spec = dir.resolve("lifecycles.yaml");
    String rows = "source: {kind: jdbc, schema: lms, table: attempts}, primaryKey: [batch_id, user_id, attempt_id],"
        + " batchColumn: batch_id, timeColumn: updated_at, collectionColumn: course_id";
    Files.writeString(spec, String.join("\n",
        "archiveType: lc",
        "lifecycles:",
        "  - name: enriched",
        "    order: 2",
        "    storages:",
        "      - {name: old, until: 2021-01-04, " + rows + "}",
        "      - {name: now, from: 2021-01-04, " + rows + "}",
        "  - name: raw",
        "    order: 1",
        "    storages:",
        "      - {name: lake, source: {kind: files, location: '" + lake + "', partitionDate: 'dt={date}'}}",
        ""));
    List<String> args = new ArrayList<>(f.common().stream().filter(x -> !x.startsWith("--tableSpec=")).toList());
    args.add("--tableSpec=" + spec);

    int toArchive = archivable(f.sourceUrl()).size();
    String out = Cli.expect(0, "archive", args);
    assertTrue(out.contains("3 job(s) over 1 table spec(s)"), out);
    int files = out.indexOf("== " + lake + " (lifecycle raw");
    int old = out.indexOf("== lms.attempts (lifecycle enriched, storage old)");
    int now = out.indexOf("== lms.attempts (lifecycle enriched, storage now)");
    assertTrue(files >= 0 && old > files && now > files, "the files lifecycle (order 1) ends before the rows' start: " + out);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("rows: \\d+ read, (\\d+) archived").matcher(out);
    long archived = 0;
    int jobs = 0;
    while (m.find()) {
      archived += Long.parseLong(m.group(1));
      jobs++;
    }
    assertEquals(2, jobs, out);
    assertEquals(toArchive, archived, "each archivable row archived once, by the storage of its week");
    String status = Cli.expect(0, "status", args, "--lifecycle=enriched", "--storage=now");
    assertTrue(status.contains("2021-W01") && !status.contains("2020-W53"), status);
    status = Cli.expect(0, "status", args, "--lifecycle=enriched", "--storage=old");
    assertTrue(status.contains("2020-W53") && !status.contains("2021-W01"), status);

    // one delete through a recycle bin: the files recycled, the rows deleted (their archive holds them)
    String deleted = Cli.expect(0, "delete", args, "--recycleRoot=" + dir.resolve("bin"));
    assertTrue(deleted.contains("--recycleRoot does not apply to the rows of"), deleted);
    assertTrue(!Files.exists(lake.resolve("dt=2020-12-21/events.json")), deleted);
    assertTrue(Files.exists(dir.resolve("bin/lc-raw-lake")), "the file is in the bin");
    assertEquals(f.original().size() - toArchive, table(f.sourceUrl()).size(), "every archived row deleted");
    List<String> purge = args.stream().filter(x -> !x.startsWith("--period=") && !x.startsWith("--asOf=")).toList();
    String purged = Cli.expect(0, "purge", purge, "--olderThanDays=0");
    assertTrue(purged.contains("files removed: 1") && purged.contains("keeps rows, which have no recycle bin"), purged);

    String refused = Cli.expect(5, "restore", args, "--lifecycle=enriched", "--targetLocation=" + dir.resolve("elsewhere"));
    assertTrue(refused.contains("holds rows") && refused.contains("--targetLocation=" + dir.resolve("elsewhere")), refused);
  }

  /** Runs a plan with another spec; it must fail with a usage error (exit 2) before reading anything. */
  static String fail(Fixture f, Path spec) {
    List<String> a = new ArrayList<>(f.common().stream().filter(x -> !x.startsWith("--tableSpec=")).toList());
    return Cli.expect(2, "plan", a, "--tableSpec=" + spec);
  }

  /** Writes to one row with its own connection just before the delete's check of its group. */
  static final class RaceHook implements DeleteHook {
    static final AtomicBoolean FIRED = new AtomicBoolean();
    private final String url;
    private final String key;

    RaceHook(String url, String key) {
      this.url = url;
      this.key = key;
    }

    @Override
    public void beforeDelete(String[] values) {
      if ((values[0] + "|" + values[1] + "|" + values[2]).equals(key) && FIRED.compareAndSet(false, true)) {
        try {
          sql(url, "UPDATE lms.attempts SET note = 'raced'" + where(key));
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  interface DeletionReportFields {
    static long skippedChanged(org.beamarchiver.model.DeletionReport r) {
      return r.skippedChanged();
    }

    static long deleted(org.beamarchiver.model.DeletionReport r) {
      return r.deleted();
    }
  }

  /** The WHERE clause of one row's key ("batch|user|attempt"; the fixture's ids hold no '|'). */
  static String where(String key) {
    String[] k = key.split("\\|", -1);
    return " WHERE batch_id = '" + k[0].replace("'", "''") + "' AND user_id = '" + k[1].replace("'", "''")
        + "' AND attempt_id = " + Long.parseLong(k[2]);
  }

  /** The records of every archive file under a root (not the dead letters). */
  static List<Map<String, String>> archivedRows(Path root) throws Exception {
    List<Map<String, String>> out = new ArrayList<>();
    for (String file : ArchiveFiles.list(root)) {
      if (file.startsWith("archived-batches/") && file.endsWith(".csv.gz")) {
        out.addAll(ArchiveFiles.read(root.resolve(file)));
      }
    }
    return out;
  }

  static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  static String run(String command, List<String> args) {
    return Cli.expect(0, command, args);
  }
}
