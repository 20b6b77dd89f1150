package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beamarchiver.io.cassandra.CassandraConnection;
import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.ledger.DeletionStatus;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.DeletionReport;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.options.DeleteOptions;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.support.ArchiveFiles;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verified delete against a real Cassandra. Every test tries to make it delete a row it must
 * not: rows written after the archive, rows changed before or during the delete, archives that
 * were damaged, removed or disagree with the ledger.
 */
class DeletePipelineIT {
  static final Instant AS_OF = AssessmentFixture.AS_OF;
  static final String COLUMNS =
      "user_id, course_id, batch_id, content_id, attempt_id, created_on, grand_total,"
          + " last_attempted_on, question, total_max_score, total_score, updated_on";

  static Cluster cluster;
  static Session session;
  @TempDir static Path dir;

  @BeforeAll
  static void connect() {
    cluster = TestServers.cluster();
    session = cluster.connect();
  }

  @AfterAll
  static void close() {
    session.close();
    cluster.close();
  }

  /** A fresh keyspace with generated rows: 3 batches over 2021-W02 (current), W01, 2020-W53. */
  static AssessmentFixture fixture(String name, String ledgerUrl) throws Exception {
    return AssessmentFixture.builder(session, dir).name(name).keyspacePrefix("delete_it")
        .rows(240).batches(3).weeks(3).deadLetters(2).seed(5L)
        .ledger(ledgerUrl).options("--cassandraSplits=4").build();
  }

  static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  static ArchiveSummary archive(AssessmentFixture f) throws Exception {
    ArchiveOptions o = PipelineOptionsFactory.fromArgs(f.options().toArray(new String[0])).as(ArchiveOptions.class);
    ArchiveSummary s = ArchivePipeline.run(o, Clock.fixed(AS_OF, ZoneOffset.UTC), new Progress(quiet()));
    assertEquals(0, s.failedPartitions());
    return s;
  }

  static DeleteSummary delete(AssessmentFixture f, DeleteHook hook, String... extra) throws Exception {
    List<String> a = f.options(extra);
    DeleteOptions o = PipelineOptionsFactory.fromArgs(a.toArray(new String[0])).as(DeleteOptions.class);
    return DeletePipeline.run(o, Clock.fixed(AS_OF, ZoneOffset.UTC), new Progress(quiet()), hook);
  }

  /** Every row of the table as "user|course|batch|content|attempt" → full row text. */
  static Map<String, String> table(AssessmentFixture f) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : session.execute("SELECT " + COLUMNS + " FROM " + f.table())) {
      out.put(key(r), rowText(r));
    }
    return out;
  }

  /** The test's key text of an archived row's values: the five primary-key columns. */
  static String keyOf(String[] values) {
    return String.join("|", values[0], values[1], values[2], values[3], values[4]);
  }

  static String key(Row r) {
    return r.getString("user_id") + "|" + r.getString("course_id") + "|" + r.getString("batch_id") + "|"
        + r.getString("content_id") + "|" + r.getString("attempt_id");
  }

  static String rowText(Row r) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < r.getColumnDefinitions().size(); i++) {
      sb.append(r.getObject(i)).append('\u0001');
    }
    return sb.toString();
  }

  /** Writes a row again, every column with its current value: same values, new write times. */
  static void rewriteWhole(Session s, String table, Object[] key) {
    Row r =
        s.execute(
                "SELECT " + COLUMNS + " FROM " + table
                    + " WHERE user_id=? AND course_id=? AND batch_id=? AND content_id=? AND attempt_id=?",
                key)
            .one();
    s.execute(
        "INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
        r.getTimestamp(5), r.getString(6), r.getTimestamp(7),
        r.getList(8, com.datastax.driver.core.UDTValue.class),
        r.getDouble(9), r.getDouble(10), r.getTimestamp(11));
  }

  /** Keys held by the archive files the ledger lists for these partitions. */
  static java.util.SortedSet<String> archivedKeys(List<LedgerRow> rows) throws Exception {
    java.util.SortedSet<String> keys = new java.util.TreeSet<>();
    for (LedgerRow r : rows) {
      for (Map<String, String> m : ArchiveFiles.read(Paths.get(r.blobUrl()))) {
        keys.add(m.get("user_id") + "|" + m.get("course_id") + "|" + m.get("batch_id") + "|"
            + m.get("content_id") + "|" + m.get("attempt_id"));
      }
    }
    return keys;
  }

  static Map<String, DeletionReport> byPartition(DeleteSummary s) {
    Map<String, DeletionReport> out = new TreeMap<>();
    s.partitions().forEach(r -> out.put(r.batchId() + "/" + r.period(), r));
    return out;
  }

  /** Archive, then change the table the way live traffic would, then delete. */
  @Test
  void deletesExactlyTheArchivedUnchangedRowsAndIsANoOpTheSecondTime() throws Exception {
    AssessmentFixture f = fixture("basic", TestServers.newH2Ledger());
    ArchiveSummary a = archive(f);
    Set<String> archived = archivedKeys(a.partitions());
    Map<String, String> before = table(f);
    assertTrue(archived.size() > 100);

    // A row inserted after the archive, in an archived batch and week.
    LedgerRow p = a.partitions().get(0);
    Instant inWeek = p.minTime();
    session.execute(
        "INSERT INTO " + f.table() + " (user_id, course_id, batch_id, content_id, attempt_id, updated_on, total_score)"
            + " VALUES ('late-user', 'do_course_000', ?, 'c', 'late', ?, 1.0)",
        p.batchId(), Date.from(inWeek));
    // An archived row rewritten whole (same values, new write time) after the archive.
    List<String> sorted = new ArrayList<>(archived);
    String rewritten = sorted.get(0);
    rewriteWhole(session, f.table(), rewritten.split("\\|"));
    // An archived row of which only one column was rewritten (partial update).
    String partial = sorted.get(1);
    String[] k2 = partial.split("\\|");
    session.execute(
        "UPDATE " + f.table() + " SET total_score = 99.5 WHERE user_id=? AND course_id=? AND batch_id=? AND content_id=? AND attempt_id=?",
        (Object[]) k2);

    DeleteSummary d = delete(f, DeleteHook.NONE);
    assertEquals(0, d.failedPartitions(), d.partitions().toString());
    Map<String, String> after = table(f);
    for (String k : before.keySet()) {
      boolean shouldGo = archived.contains(k) && !k.equals(rewritten) && !k.equals(partial);
      assertEquals(!shouldGo, after.containsKey(k), k);
    }
    assertTrue(after.containsKey("late-user|do_course_000|" + p.batchId() + "|c|late"), "row inserted after the archive survives");
    assertEquals(before.get(rewritten), after.get(rewritten), "rewritten row survives whole");
    assertTrue(after.get(partial).contains("99.5"), "partially updated row keeps the update");
    Row pr = session.execute("SELECT " + COLUMNS + " FROM " + f.table() + " WHERE user_id=? AND course_id=? AND batch_id=? AND content_id=? AND attempt_id=?", (Object[]) k2).one();
    assertNotNull(pr.getTimestamp("updated_on"), "partially updated row is not mutilated");
    assertFalse(pr.getList("question", com.datastax.driver.core.UDTValue.class).isEmpty());
    assertEquals(archived.size() - 2, d.total(DeletionReport::deleted));
    assertEquals(2, d.total(DeletionReport::skippedChanged));

    Ledger ledger = new Ledger(new JdbcEndpoint(f.ledgerUrl(), null, null));
    for (LedgerRow r : ledger.archives().rowsOfType("assessment")) {
      assertEquals(DeletionStatus.SUCCESS, r.deletionStatus(), r.toString());
      assertNotNull(r.deletionDate());
      assertEquals(r.rowCount(), r.deletedRows() + r.skippedChangedRows() + r.absentRows());
    }
    DeleteSummary again = delete(f, DeleteHook.NONE);
    assertEquals(0, again.partitions().size(), "deleting twice is a no-op");
    assertEquals(after, table(f));
  }

  /** Changes that land between the check and the DELETE: the row survives, whole. */
  @Test
  void aRowChangedDuringTheDeleteSurvivesWhole() throws Exception {
    AssessmentFixture f = fixture("race", TestServers.newH2Ledger());
    ArchiveSummary a = archive(f);
    List<String> keys = new ArrayList<>(archivedKeys(a.partitions()));
    String partialKey = keys.get(3);
    String wholeKey = keys.get(7);
    Map<String, String> before = table(f);
    RaceHook hook = new RaceHook(TestServers.cassandraPort(), f.table(), partialKey, wholeKey);

    DeleteSummary d = delete(f, hook);
    assertTrue(RaceHook.FIRED_PARTIAL.get() && RaceHook.FIRED_WHOLE.get(), "the race was run");
    assertEquals(0, d.failedPartitions());
    Map<String, String> after = table(f);
    assertTrue(after.containsKey(partialKey), "partially updated during the delete: survives");
    String[] k = partialKey.split("\\|");
    Row pr = session.execute("SELECT " + COLUMNS + " FROM " + f.table() + " WHERE user_id=? AND course_id=? AND batch_id=? AND content_id=? AND attempt_id=?", (Object[]) k).one();
    assertEquals("raced", pr.getString("grand_total"));
    // Every other column is as archived: not mutilated.
    String expected = before.get(partialKey);
    String[] e = expected.split("\u0001", -1);
    String[] g = after.get(partialKey).split("\u0001", -1);
    for (int i = 0; i < e.length; i++) {
      if (i != 6) {
        assertEquals(e[i], g[i], "column " + i + " of the raced row");
      }
    }
    assertTrue(after.containsKey(wholeKey), "rewritten during the delete: survives");
    assertEquals(2, d.total(DeletionReport::skippedChanged));
    assertEquals(keys.size() - 2, d.total(DeletionReport::deleted));
    for (String key : keys) {
      if (!key.equals(partialKey) && !key.equals(wholeKey)) {
        assertFalse(after.containsKey(key), key);
      }
    }
  }

  /** Writes to the row with its own connection, right before the guarded DELETE is sent. */
  static final class RaceHook implements DeleteHook {
    static final AtomicBoolean FIRED_PARTIAL = new AtomicBoolean();
    static final AtomicBoolean FIRED_WHOLE = new AtomicBoolean();
    private final int port;
    private final String table;
    private final String partialKey;
    private final String wholeKey;
    private transient Session own;

    RaceHook(int port, String table, String partialKey, String wholeKey) {
      this.port = port;
      this.table = table;
      this.partialKey = partialKey;
      this.wholeKey = wholeKey;
      FIRED_PARTIAL.set(false);
      FIRED_WHOLE.set(false);
    }

    private synchronized Session session() {
      if (own == null) {
        own = Cluster.builder().withNettyOptions(CassandraConnection.QUICK_CLOSE).addContactPoint("127.0.0.1").withPort(port).withoutJMXReporting().build().connect();
      }
      return own;
    }

    @Override
    public void beforeDelete(String[] values) {
      String key = keyOf(values);
      Object[] k = {values[0], values[1], values[2], values[3], values[4]};
      String where = " WHERE user_id=? AND course_id=? AND batch_id=? AND content_id=? AND attempt_id=?";
      if (key.equals(partialKey)) {
        session().execute("UPDATE " + table + " SET grand_total = 'raced'" + where, k);
        FIRED_PARTIAL.set(true);
      } else if (key.equals(wholeKey)) {
        rewriteWhole(session(), table, k);
        FIRED_WHOLE.set(true);
      }
    }
  }

  /** Damaged, missing or disagreeing archives: nothing of them is deleted; the others go on. */
  @Test
  void anArchiveThatFailsVerificationDeletesNothingOfItsPartition() throws Exception {
    String pg = TestServers.newPostgresDatabase();
    AssessmentFixture f = fixture("tamper", pg);
    ArchiveSummary a = archive(f);
    Map<String, LedgerRow> byKey = new TreeMap<>();
    a.partitions().forEach(r -> byKey.put(r.batchId() + "/" + r.period(), r));
    LedgerRow flipped = byKey.get("batch-000/2021-W01");
    LedgerRow missing = byKey.get("batch-001/2021-W01");
    LedgerRow miscounted = byKey.get("batch-002/2021-W01");
    // One byte changed.
    Path fp = Paths.get(flipped.blobUrl());
    byte[] bytes = Files.readAllBytes(fp);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(fp, bytes);
    // File removed.
    Files.delete(Paths.get(missing.blobUrl()));
    // Ledger row count disagrees with the file.
    try (Connection c = DriverManager.getConnection(pg);
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE archival_metadata SET row_count = row_count + 1 WHERE uuid = '" + miscounted.uuid() + "'");
    }
    Set<String> keep = new HashSet<>(archivedKeys(List.of(miscounted)));
    keep.addAll(keysOf(f, "batch-000", flipped));
    keep.addAll(keysOf(f, "batch-001", missing));
    Map<String, String> before = table(f);

    DeleteSummary d = delete(f, DeleteHook.NONE);
    Map<String, DeletionReport> r = byPartition(d);
    assertTrue(r.get("batch-000/2021-W01").error().contains("checksum mismatch"), r.get("batch-000/2021-W01").error());
    assertTrue(r.get("batch-001/2021-W01").error().contains("object missing"));
    // The ledger's row count no longer matches the signed manifest: refused before any read.
    assertTrue(r.get("batch-002/2021-W01").error().contains("MANIFEST_MISMATCH"), r.get("batch-002/2021-W01").error());
    assertEquals(3, d.failedPartitions());
    Map<String, String> after = table(f);
    for (String k : keep) {
      assertEquals(before.get(k), after.get(k), "row of an unverified archive kept: " + k);
    }
    assertTrue(d.total(DeletionReport::deleted) > 0, "the other partitions went on");
    Ledger ledger = new Ledger(new JdbcEndpoint(pg, null, null));
    for (LedgerRow row : ledger.archives().rowsOfType("assessment")) {
      boolean bad = row.uuid().equals(flipped.uuid()) || row.uuid().equals(missing.uuid()) || row.uuid().equals(miscounted.uuid());
      assertEquals(bad ? DeletionStatus.FAILED : DeletionStatus.SUCCESS, row.deletionStatus(), row.batchId() + " " + row.period());
      if (bad) {
        assertTrue(
            row.errMessage().startsWith(
                row.uuid().equals(miscounted.uuid()) ? "delete: refused, archive not verified" : "delete: archive failed verification"),
            row.errMessage());
        assertEquals(0L, row.deletedRows());
      }
    }
  }

  /** Keys of the live rows of one batch in one partition's week (the archived ones, before any delete). */
  static Set<String> keysOf(AssessmentFixture f, String batch, LedgerRow p) {
    Set<String> out = new HashSet<>();
    for (Row r : session.execute("SELECT " + COLUMNS + " FROM " + f.table())) {
      Date t = r.getTimestamp("updated_on");
      if (batch.equals(r.getString("batch_id")) && t != null
          && !t.toInstant().isBefore(p.minTime()) && !t.toInstant().isAfter(p.maxTime())) {
        out.add(key(r));
      }
    }
    return out;
  }

  /** A delete that fails for one row: that partition FAILED, the others SUCCESS; a rerun finishes. */
  @Test
  void aRerunFinishesAPartitionThatFailedHalfway() throws Exception {
    AssessmentFixture f = fixture("rerun", TestServers.newH2Ledger());
    ArchiveSummary a = archive(f);
    List<String> keys = new ArrayList<>(archivedKeys(a.partitions()));
    String failing = keys.get(5);
    DeleteSummary first = delete(f, new FailOnce(failing));
    assertEquals(1, first.failedPartitions());
    DeletionReport bad =
        first.partitions().stream().filter(r -> !"SUCCESS".equals(r.status())).findFirst().get();
    assertEquals(1, bad.failed());
    assertTrue(bad.error().contains("could not be processed (rerun to finish)"), bad.error());
    assertTrue(table(f).containsKey(failing), "the row whose delete failed is still there");

    DeleteSummary second = delete(f, DeleteHook.NONE);
    assertEquals(List.of(bad.batchId() + "/" + bad.period()), List.copyOf(byPartition(second).keySet()));
    DeletionReport done = second.partitions().get(0);
    assertEquals("SUCCESS", done.status());
    assertEquals(1, done.deleted());
    assertEquals(done.rows() - 1, done.absent(), "rows deleted by the first run are absent now");
    assertFalse(table(f).containsKey(failing));
    for (LedgerRow r : new Ledger(new JdbcEndpoint(f.ledgerUrl(), null, null)).archives().rowsOfType("assessment")) {
      assertEquals(DeletionStatus.SUCCESS, r.deletionStatus());
    }
  }

  /** Fails the delete of one row (as a timeout would). */
  static final class FailOnce implements DeleteHook {
    private final String key;

    FailOnce(String key) {
      this.key = key;
    }

    @Override
    public void beforeDelete(String[] v) {
      if (keyOf(v).equals(key)) {
        throw new IllegalStateException("simulated write timeout");
      }
    }
  }

  @Test
  void dryRunDeletesNothingAndReportsWhatWouldGo() throws Exception {
    AssessmentFixture f = fixture("dry", TestServers.newH2Ledger());
    ArchiveSummary a = archive(f);
    Set<String> archived = archivedKeys(a.partitions());
    Map<String, String> before = table(f);
    DeleteSummary d = delete(f, DeleteHook.NONE, "--dryRun=true");
    assertEquals(before, table(f));
    assertEquals(archived.size(), d.total(DeletionReport::wouldDelete));
    assertEquals(0, d.total(DeletionReport::deleted));
    assertEquals(a.partitions().size(), d.partitions().size());
    for (LedgerRow r : new Ledger(new JdbcEndpoint(f.ledgerUrl(), null, null)).archives().rowsOfType("assessment")) {
      assertNull(r.deletionStatus(), "a dry run records nothing");
    }
    // Restricting by batch and week selects only those partitions.
    DeleteSummary one = delete(f, DeleteHook.NONE, "--dryRun=true", "--period=LAST_WEEK", "--batchIds=batch-001");
    assertEquals(List.of("batch-001/2021-W01"), List.copyOf(byPartition(one).keySet()));
  }

  /**
   * A delete interrupted after its tombstone was sent (the run killed, or out of budget, before its
   * re-check), while the application updated one column of the row: the tombstone at the archived
   * write time W took every other column, and the row is cut. The next run finds the partition
   * PENDING (the delete's write-ahead) and deletes it in repair mode: the cut row gets its archived
   * cells back, under the application's update; a row the application changed itself (a column set
   * to null after the archive) stays exactly as the application left it; the other rows go. Without
   * repair mode the cut row stays cut (a changed row is only skipped).
   */
  @Test
  void aDeleteInterruptedAfterItsTombstonesIsFinishedInRepairMode() throws Exception {
    AssessmentFixture f = fixture("repair", TestServers.newH2Ledger());
    ArchiveSummary a = archive(f);
    LedgerRow p = a.partitions().get(0);
    List<Map<String, String>> rows = ArchiveFiles.read(Paths.get(p.blobUrl()));
    Map<String, String> cut = rows.get(0);
    Map<String, String> nulled = rows.get(1);
    String where = " WHERE user_id=? AND course_id=? AND batch_id=? AND content_id=? AND attempt_id=?";
    String[] cutKey = {cut.get("user_id"), cut.get("course_id"), cut.get("batch_id"), cut.get("content_id"), cut.get("attempt_id")};
    String[] nulledKey =
        {nulled.get("user_id"), nulled.get("course_id"), nulled.get("batch_id"), nulled.get("content_id"), nulled.get("attempt_id")};

    // The application's update of one column, then the interrupted delete's tombstone at W.
    session.execute("UPDATE " + f.table() + " SET total_score = 99.5" + where, (Object[]) cutKey);
    String intended = table(f).get(keyOf(cutKey));
    Object[] withTime = new Object[6];
    withTime[0] = Long.parseLong(cut.get("_writetime_micros"));
    System.arraycopy(cutKey, 0, withTime, 1, 5);
    session.execute("DELETE FROM " + f.table() + " USING TIMESTAMP ?" + where, withTime);
    Row cutNow = session.execute("SELECT grand_total, question, total_score FROM " + f.table() + where, (Object[]) cutKey).one();
    assertNull(cutNow.getString("grand_total"), "the row is cut");
    assertEquals(99.5, cutNow.getDouble("total_score"));
    // A change of the application's own: a column set to null.
    session.execute("UPDATE " + f.table() + " SET grand_total = null" + where, (Object[]) nulledKey);
    String changed = table(f).get(keyOf(nulledKey));
    // What the interrupted run left in the ledger: its write-ahead.
    try (java.sql.Connection c = new JdbcEndpoint(f.ledgerUrl(), null, null).open();
        Statement st = c.createStatement()) {
      assertEquals(1, st.executeUpdate("UPDATE archival_metadata SET deletion_status = 'PENDING' WHERE uuid = '" + p.uuid() + "'"));
    }

    DeleteSummary d = delete(f, DeleteHook.NONE);
    assertEquals(0, d.failedPartitions(), d.partitions().toString());
    Map<String, String> after = table(f);
    assertEquals(intended, after.get(keyOf(cutKey)), "the cut row whole again, with the application's update");
    assertEquals(changed, after.get(keyOf(nulledKey)), "the application's change kept as it is");
    for (Map<String, String> r : rows.subList(2, rows.size())) {
      String k = String.join("|", r.get("user_id"), r.get("course_id"), r.get("batch_id"), r.get("content_id"), r.get("attempt_id"));
      assertFalse(after.containsKey(k), "unchanged archived row deleted: " + k);
    }
    DeletionReport rep = byPartition(d).get(p.batchId() + "/" + p.period());
    assertEquals(2, rep.skippedChanged());
    assertEquals(rows.size() - 2, rep.deleted());
    for (LedgerRow r : new Ledger(new JdbcEndpoint(f.ledgerUrl(), null, null)).archives().rowsOfType("assessment")) {
      assertEquals(DeletionStatus.SUCCESS, r.deletionStatus(), r.batchId() + " " + r.period());
    }
  }
}
