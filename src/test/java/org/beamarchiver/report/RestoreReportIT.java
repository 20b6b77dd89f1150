package org.beamarchiver.report;

import org.beamarchiver.ledger.RestoreStatus;
import org.beamarchiver.ledger.Restore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.TestServers;
import org.beamarchiver.tools.AssessmentSample;
import org.beamarchiver.support.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore and report against real Cassandra and a real ledger: archive → delete → restore gives
 * the original table back cell for cell (twice is a no-op), into the source or another table; an
 * incompatible target is refused naming the difference; a row changed after the archive keeps its
 * change; the report of a batch is the same before archiving and after archive + delete; a missing
 * archive fails the report unless allowed.
 */
class RestoreReportIT {
  static final Instant AS_OF = AssessmentFixture.AS_OF;

  static Cluster cluster;
  static Session session;
  @TempDir static Path dir;
  static Path keyFile;

  @BeforeAll
  static void connect() throws Exception {
    cluster = TestServers.cluster();
    session = cluster.connect();
    keyFile = dir.resolve("signing.key");
    Files.writeString(keyFile, "restore-report-it key, long enough\n");
  }

  @AfterAll
  static void close() {
    session.close();
    cluster.close();
  }

  static AssessmentFixture fixture(String name) throws Exception {
    return AssessmentFixture.builder(session, dir).name(name).keyspacePrefix("restore_it")
        .rows(2000).batches(6).weeks(3).deadLetters(0).seed(13L).signingKeyFile(keyFile).build();
  }

  /**
   * A command over a fixture: its spec, ledger, root, the test Cassandra, its key, AS_OF, period ALL;
   * the report takes no AS_OF and no period, the archive 4 splits.
   */
  static Cli cli(AssessmentFixture f, String command, String... extra) {
    List<String> a = (command.equals("report") ? f.without("--asOf", "--period") : f).options(extra);
    if (command.equals("archive")) {
      a.add("--cassandraSplits=4");
    }
    a.add(0, command);
    return Cli.run(a);
  }

  /** Every row of a table, cell for cell in canonical text, by primary key. */
  static Map<String, List<String>> table(String ks, String table) {
    return AssessmentFixture.cells(session, ks, table);
  }

  static String createLike(String ks, String table, String columnsOverride) {
    String cols =
        columnsOverride != null ? columnsOverride
            : "user_id text, course_id text, batch_id text, content_id text, attempt_id text,"
                + " created_on timestamp, grand_total text, last_attempted_on timestamp,"
                + " question list<frozen<question>>, total_max_score double, total_score double, updated_on timestamp,"
                + " PRIMARY KEY ((user_id, course_id), batch_id, content_id, attempt_id)";
    session.execute("CREATE TABLE " + ks + "." + table + " (" + cols + ")");
    return table;
  }

  @Test
  void archiveDeleteRestoreGivesTheTableBackAndTheReportIsTheSameBeforeAndAfter() throws Exception {
    AssessmentFixture f = fixture("roundtrip");
    Map<String, List<String>> original = table(f.keyspace(), "assessment_aggregator");
    Path before = dir.resolve("report-before.csv");
    Path beforeQ = dir.resolve("report-before-q.csv");
    Cli r0 = cli(f, "report", "--batchId=batch-002", "--output=" + before);
    assertEquals(0, r0.code(), r0.out());
    assertEquals(0, cli(f, "report", "--batchId=batch-002", "--output=" + beforeQ, "--perQuestion=true").code());

    Cli archive = cli(f, "archive");
    assertEquals(0, archive.code(), archive.out());
    Cli delete = cli(f, "delete");
    assertEquals(0, delete.code(), delete.out());
    Map<String, List<String>> afterDelete = table(f.keyspace(), "assessment_aggregator");
    assertTrue(afterDelete.size() < original.size() / 2, "most rows were deleted: " + afterDelete.size());

    // The report sees the archived rows as if they were live.
    Path after = dir.resolve("report-after.csv");
    Path afterQ = dir.resolve("report-after-q.csv");
    Cli r1 = cli(f, "report", "--batchId=batch-002", "--output=" + after);
    assertEquals(0, r1.code(), r1.out());
    assertEquals(0, cli(f, "report", "--batchId=batch-002", "--output=" + afterQ, "--perQuestion=true").code());
    assertEquals(Files.readString(before), Files.readString(after));
    assertEquals(Files.readString(beforeQ), Files.readString(afterQ));
    assertTrue(Files.readAllLines(after).size() > 100, "the report has the batch's rows");
    assertTrue(Files.readAllLines(afterQ).size() > Files.readAllLines(after).size(), "one row per question");

    Cli restore = cli(f, "restore");
    assertEquals(0, restore.code(), restore.out());
    assertEquals(original, table(f.keyspace(), "assessment_aggregator"));
    Cli again = cli(f, "restore");
    assertEquals(0, again.code(), again.out());
    assertEquals(original, table(f.keyspace(), "assessment_aggregator"), "a second restore changes nothing");
    List<Restore> restores = new Ledger(new JdbcEndpoint(f.ledgerUrl(), null, null)).restores().ofType("assessment");
    assertEquals(2 * 12, restores.size(), "each restore of each partition recorded");
    assertTrue(restores.stream().allMatch(r -> r.status() == RestoreStatus.SUCCESS && r.target().endsWith(".assessment_aggregator")));
    Map<String, Long> writtenPerRun = new TreeMap<>();
    restores.forEach(r -> writtenPerRun.merge(r.runId(), r.rows(), Long::sum));
    assertEquals(2, writtenPerRun.size());
    long totalArchived = original.size() - afterDelete.size();
    assertTrue(writtenPerRun.containsValue(totalArchived), "the first restore wrote every deleted row: " + writtenPerRun);
    assertTrue(writtenPerRun.containsValue(0L), "the second wrote none: " + writtenPerRun);
    assertTrue(again.out().contains("already present"), again.out());

    // Into another table of the same shape (another keyspace: its own user type).
    String other = TestServers.newKeyspace("restore_target");
    AssessmentSample.createSchema(session, other);
    Cli into = cli(f, "restore", "--targetKeyspace=" + other, "--targetTable=assessment_aggregator", "--period=LAST_N_WEEKS", "--weeks=1");
    assertEquals(0, into.code(), into.out());
    Map<String, List<String>> copied = table(other, "assessment_aggregator");
    assertFalse(copied.isEmpty());
    for (Map.Entry<String, List<String>> e : copied.entrySet()) {
      assertEquals(original.get(e.getKey()), e.getValue(), e.getKey());
    }
  }

  @Test
  void anIncompatibleTargetIsRefusedNamingTheDifference() throws Exception {
    AssessmentFixture f = fixture("incompatible");
    assertEquals(0, cli(f, "archive").code());
    String ks = f.keyspace();
    createLike(ks, "missing_column",
        "user_id text, course_id text, batch_id text, content_id text, attempt_id text, created_on timestamp,"
            + " grand_total text, last_attempted_on timestamp, question list<frozen<question>>, total_max_score double,"
            + " updated_on timestamp, PRIMARY KEY ((user_id, course_id), batch_id, content_id, attempt_id)");
    createLike(ks, "other_type",
        "user_id text, course_id text, batch_id text, content_id text, attempt_id text, created_on timestamp,"
            + " grand_total text, last_attempted_on timestamp, question list<frozen<question>>, total_max_score double,"
            + " total_score int, updated_on timestamp, PRIMARY KEY ((user_id, course_id), batch_id, content_id, attempt_id)");
    createLike(ks, "other_key",
        "user_id text, course_id text, batch_id text, content_id text, attempt_id text, created_on timestamp,"
            + " grand_total text, last_attempted_on timestamp, question list<frozen<question>>, total_max_score double,"
            + " total_score double, updated_on timestamp, PRIMARY KEY ((user_id), course_id, batch_id, content_id, attempt_id)");
    Map<String, String> expected =
        Map.of(
            "missing_column", "column total_score (double) is missing",
            "other_type", "column total_score is int in the target, double in the archive",
            "other_key",
                "the primary key is ((user_id), course_id, batch_id, content_id, attempt_id) in the target,"
                    + " ((user_id, course_id), batch_id, content_id, attempt_id) in the archive",
            "no_such_table", "does not exist");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Cli c = cli(f, "restore", "--targetTable=" + e.getKey());
      assertEquals(5, c.code(), c.out());
      assertTrue(c.out().contains(e.getValue()), e.getKey() + ": " + c.out());
      if (!e.getKey().equals("no_such_table")) {
        assertEquals(0, session.execute("SELECT count(*) FROM " + ks + "." + e.getKey()).one().getLong(0), "nothing written");
      }
    }
    // The difference in the key is told apart from same columns in another order.
    assertNotEquals(expected.get("other_key"), expected.get("other_type"));
  }

  @Test
  void aRowChangedAfterTheArchiveKeepsItsChangeAndAMissingArchiveFailsTheReport() throws Exception {
    AssessmentFixture f = fixture("changed");
    assertEquals(0, cli(f, "archive").code());
    Row victim = session.execute("SELECT user_id, course_id, batch_id, content_id, attempt_id, total_score FROM "
        + f.keyspace() + ".assessment_aggregator WHERE batch_id = 'batch-001' LIMIT 1 ALLOW FILTERING").one();
    String where = " WHERE user_id = '" + victim.getString("user_id") + "' AND course_id = '" + victim.getString("course_id")
        + "' AND batch_id = 'batch-001' AND content_id = '" + victim.getString("content_id") + "' AND attempt_id = '"
        + victim.getString("attempt_id") + "'";
    session.execute("UPDATE " + f.keyspace() + ".assessment_aggregator SET total_score = 99.5" + where);
    Cli restore = cli(f, "restore", "--batchIds=batch-001");
    assertEquals(0, restore.code(), restore.out());
    assertEquals(99.5, session.execute("SELECT total_score FROM " + f.keyspace() + ".assessment_aggregator" + where).one().getDouble(0));

    // A missing archive: the report fails naming it; allowed, it is written and says what it lacks.
    Ledger ledger = new Ledger(new JdbcEndpoint(f.ledgerUrl(), null, null));
    String lost = ledger.archives().rowsOfType("assessment").stream().filter(r -> r.batchId().equals("batch-003")).findFirst().orElseThrow().blobUrl();
    Files.delete(Paths.get(lost));
    Path out = dir.resolve("report-missing.csv");
    Cli failed = cli(f, "report", "--batchId=batch-003", "--output=" + out);
    assertEquals(1, failed.code(), failed.out());
    assertTrue(failed.out().contains(lost) && failed.out().contains("would be incomplete"), failed.out());
    assertFalse(Files.exists(out), "no report written");
    Cli allowed = cli(f, "report", "--batchId=batch-003", "--output=" + out, "--allowMissingArchives=true");
    assertEquals(3, allowed.code(), allowed.out());
    assertTrue(Files.exists(out));
    assertTrue(Files.readString(Paths.get(out + ".lacking.txt")).contains(lost));
    assertTrue(allowed.out().contains("INCOMPLETE"), allowed.out());
  }

  @Test
  void restoreIntoAPostgresTableOfTheSameShape() throws Exception {
    AssessmentFixture f = fixture("jdbc");
    assertEquals(0, cli(f, "archive").code());
    long archived =
        new Ledger(new JdbcEndpoint(f.ledgerUrl(), null, null)).archives().rowsOfType("assessment").stream()
            .mapToLong(r -> r.rowCount()).sum();
    String pg = TestServers.newPostgresDatabase();
    String columns =
        "user_id text, course_id text, batch_id text, content_id text, attempt_id text, created_on timestamptz,"
            + " grand_total text, last_attempted_on timestamptz, question jsonb, total_max_score float8, %s,"
            + " updated_on timestamptz, PRIMARY KEY (user_id, course_id, batch_id, content_id, attempt_id)";
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(pg);
        java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA audit");
      st.execute("CREATE TABLE audit.attempts (" + String.format(columns, "total_score float8") + ")");
      st.execute("CREATE TABLE audit.bad (" + String.format(columns, "total_score int") + ")");
    }
    Cli bad = cli(f, "restore", "--targetJdbcUrl=" + pg, "--targetTable=audit.bad");
    assertEquals(5, bad.code(), bad.out());
    assertTrue(bad.out().contains("column total_score is int4 in the target, double in the archive"), bad.out());

    Cli restore = cli(f, "restore", "--targetJdbcUrl=" + pg, "--targetTable=audit.attempts");
    assertEquals(0, restore.code(), restore.out());
    Map<String, List<String>> source = table(f.keyspace(), "assessment_aggregator");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(pg);
        java.sql.Statement st = c.createStatement()) {
      java.sql.ResultSet n = st.executeQuery("SELECT count(*) FROM audit.attempts");
      n.next();
      assertEquals(archived, n.getLong(1));
      java.sql.ResultSet rs =
          st.executeQuery(
              "SELECT user_id, course_id, batch_id, content_id, attempt_id, total_score, question::text,"
                  + " (extract(epoch from updated_on) * 1000)::bigint FROM audit.attempts");
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      int checked = 0;
      while (rs.next()) {
        String key = rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|" + rs.getString(5);
        List<String> cells = source.get(key);
        assertTrue(cells.contains("total_score=" + rs.getDouble(6)), key);
        String question = cells.stream().filter(x -> x.startsWith("question=")).findFirst().orElseThrow().substring(9);
        assertEquals(json.readTree(question), json.readTree(rs.getString(7)), key);
        String updated = cells.stream().filter(x -> x.startsWith("updated_on=")).findFirst().orElseThrow().substring(11);
        assertEquals(Instant.parse(updated).toEpochMilli(), rs.getLong(8), key);
        checked++;
      }
      assertEquals(archived, checked);
      // A row changed in the target after the archive (a later time) is kept; a second restore writes nothing.
      assertEquals(
          1,
          st.executeUpdate(
              "UPDATE audit.attempts SET total_score = 99.5, updated_on = now() WHERE ctid IN (SELECT ctid FROM audit.attempts LIMIT 1)"));
    }
    Cli again = cli(f, "restore", "--targetJdbcUrl=" + pg, "--targetTable=audit.attempts");
    assertEquals(0, again.code(), again.out());
    List<Restore> restores = new Ledger(new JdbcEndpoint(f.ledgerUrl(), null, null)).restores().ofType("assessment");
    Map<String, Long> written = new TreeMap<>();
    restores.forEach(r -> written.merge(r.runId(), r.rows(), Long::sum));
    assertTrue(written.containsValue(archived) && written.containsValue(0L), written.toString());
    assertTrue(restores.stream().noneMatch(r -> r.target().contains("user=postgres")), "JDBC parameters stay out of the ledger");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(pg);
        java.sql.Statement st = c.createStatement()) {
      java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM audit.attempts WHERE total_score = 99.5");
      rs.next();
      assertEquals(1, rs.getLong(1), "the newer row kept its change");
    }
  }
}
