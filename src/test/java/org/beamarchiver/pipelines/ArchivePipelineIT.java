package org.beamarchiver.pipelines;

import org.beamarchiver.ledger.ArchiveStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beamarchiver.io.cassandra.CqlText;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.support.ArchiveFiles;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive pipeline end to end against a real Cassandra, with the ledger on the embedded H2
 * default and on a real PostgreSQL, on the DirectRunner and on embedded Flink.
 */
class ArchivePipelineIT {
  /** A Wednesday in 2021-W02: 2021-W02 is unfinished. */
  static final Instant AS_OF = AssessmentFixture.AS_OF;

  static String keyspace;
  static Cluster cluster;
  static Session session;
  @TempDir static Path dir;
  /** The rows every test archives; each test names its own ledger and root. */
  static AssessmentFixture data;

  @BeforeAll
  static void load() throws Exception {
    cluster = TestServers.cluster();
    session = cluster.connect();
    data =
        AssessmentFixture.builder(session, dir).name("assessment").keyspacePrefix("archive_it")
            .rows(600).batches(3).weeks(4).deadLetters(2).seed(11L).options("--cassandraSplits=8").build();
    keyspace = data.keyspace();
    // ISO week edges, in batch "edge".
    insert("u-a", "edge", "2015-12-31T10:00:00Z"); // 2015-W53
    insert("u-b", "edge", "2016-01-03T23:59:59.999Z"); // 2015-W53
    insert("u-c", "edge", "2016-01-04T00:00:00Z"); // 2016-W01
    insert("u-d", "edge", "2021-01-03T12:00:00Z"); // 2020-W53
    insert("u-e", "edge", "2021-01-11T00:00:00Z"); // 2021-W02: unfinished at AS_OF
  }

  @AfterAll
  static void close() {
    session.close();
    cluster.close();
  }

  static void insert(String user, String batch, String updatedOn) {
    session.execute(
        "INSERT INTO "
            + keyspace
            + ".assessment_aggregator (user_id, course_id, batch_id, content_id, attempt_id,"
            + " updated_on, total_score, total_max_score, grand_total) VALUES (?,?,?,?,?,?,?,?,?)",
        user,
        "do_course_edge",
        batch,
        "content-1",
        "attempt-1",
        Date.from(Instant.parse(updatedOn)),
        1.5,
        2.0,
        "1.5/2.0");
  }

  /** The rows with this ledger and root; every call names its period (in place of the fixture's ALL). */
  static ArchiveOptions options(String ledgerUrl, Path root, String... extra) {
    List<String> args = data.with("--ledgerUrl=" + ledgerUrl, "--archiveRoot=" + root).options(extra);
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).as(ArchiveOptions.class);
  }

  static ArchiveSummary archive(ArchiveOptions o) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    return ArchivePipeline.run(o, Clock.fixed(AS_OF, ZoneOffset.UTC), new Progress(new PrintStream(log, true, StandardCharsets.UTF_8)));
  }

  /** Source truth read independently: partition "batch/week" → set of "user|attempt". */
  static Map<String, List<String>> sourcePartitions(Instant from, Instant to, String onlyBatch) {
    Map<String, List<String>> out = new TreeMap<>();
    for (Row r :
        session.execute(
            "SELECT user_id, batch_id, attempt_id, updated_on FROM " + keyspace + ".assessment_aggregator")) {
      Date t = r.getTimestamp("updated_on");
      if (t == null) {
        continue;
      }
      Instant i = t.toInstant();
      if ((from != null && i.isBefore(from)) || !i.isBefore(to)) {
        continue;
      }
      if (onlyBatch != null && !onlyBatch.equals(r.getString("batch_id"))) {
        continue;
      }
      out.computeIfAbsent(r.getString("batch_id") + "/" + IsoWeek.of(i), k -> new ArrayList<>())
          .add(r.getString("user_id") + "|" + r.getString("attempt_id"));
    }
    out.values().forEach(l -> l.sort(String::compareTo));
    return out;
  }

  static Map<String, LedgerRow> byPartition(List<LedgerRow> rows) {
    return rows.stream()
        .collect(Collectors.toMap(r -> r.batchId() + "/" + r.period(), r -> r, (a, b) -> a, TreeMap::new));
  }

  @Test
  void allArchivesEveryCompleteWeekOneFilePerBatchWeekAndRerunChangesNothing() throws Exception {
    Path root = dir.resolve("all-h2");
    String ledgerUrl = TestServers.newH2Ledger();
    // The test Cassandra does not ask for credentials; given anyway, they must never be recorded.
    ArchiveSummary s =
        archive(options(ledgerUrl, root, "--period=ALL", "--cassandraUsername=archiver", "--cassandraPassword=pw-SECRET-1"));
    for (LedgerRow r : s.partitions()) {
      assertTrue(!r.requestData().contains("pw-SECRET-1") && r.requestData().contains("\"period\":\"ALL\""), r.requestData());
    }

    Map<String, List<String>> truth = sourcePartitions(null, IsoWeek.of(AS_OF).start(), null);
    Map<String, LedgerRow> ledger = byPartition(s.partitions());
    assertEquals(truth.keySet(), ledger.keySet());
    assertTrue(ledger.containsKey("edge/2015-W53"));
    assertTrue(ledger.containsKey("edge/2016-W01"));
    assertTrue(ledger.containsKey("edge/2020-W53"));
    assertTrue(ledger.keySet().stream().noneMatch(k -> k.endsWith("2021-W02")), "unfinished week excluded");
    assertEquals(2, truth.get("edge/2015-W53").size());
    assertEquals(2, s.counter("deadLetters"));
    assertEquals(0, s.failedPartitions());

    for (Map.Entry<String, LedgerRow> e : ledger.entrySet()) {
      LedgerRow r = e.getValue();
      Path file = Paths.get(r.blobUrl());
      assertTrue(file.startsWith(root.resolve("archived-batches/assessment")), r.blobUrl());
      assertEquals(ArchiveStatus.SUCCESS, r.archivalStatus());
      assertEquals(ArchiveFiles.sha256(file), r.checksumSha256());
      assertEquals(Files.size(file), r.byteSize());
      List<Map<String, String>> rows = ArchiveFiles.read(file);
      assertEquals(r.rowCount(), rows.size());
      List<String> keys = rows.stream().map(m -> m.get("user_id") + "|" + m.get("attempt_id")).sorted().toList();
      assertEquals(truth.get(e.getKey()), keys, "file holds exactly the partition's source rows");
      for (Map<String, String> row : rows) {
        Instant t = Instant.parse(row.get("updated_on"));
        assertEquals(e.getKey(), row.get("batch_id") + "/" + IsoWeek.of(t));
        assertTrue(!t.isBefore(r.minTime()) && !t.isAfter(r.maxTime()));
        assertNotNull(row.get("_writetime_micros"));
      }
    }
    // One edge row compared cell by cell with what was inserted.
    Map<String, String> edge =
        ArchiveFiles.read(Paths.get(ledger.get("edge/2016-W01").blobUrl())).get(0);
    assertEquals("u-c", edge.get("user_id"));
    assertEquals("do_course_edge", edge.get("course_id"));
    assertEquals("2016-01-04T00:00:00.000Z", edge.get("updated_on"));
    assertEquals("1.5", edge.get("total_score"));
    assertEquals(null, edge.get("question"));
    assertEquals("do_course_edge", ledger.get("edge/2016-W01").collectionId());
    // A generated row's question list is JSON with every UDT field.
    LedgerRow gen = ledger.values().stream().filter(r -> r.batchId().startsWith("batch-")).findFirst().get();
    String question = ArchiveFiles.read(Paths.get(gen.blobUrl())).get(0).get("question");
    assertTrue(question.startsWith("[{\"id\":\"do_question_") && question.contains("\"resvalues\":[{"), question);

    // Dead letters: both null-time rows, with the reason.
    List<String> dead = Files.readAllLines(Paths.get(s.deadLetterFile()));
    assertEquals(3, dead.size(), dead.toString());
    assertTrue(dead.get(1).startsWith("\"null time column 'updated_on'\""), dead.get(1));

    // Rerun: nothing rewritten, ledger unchanged, no new file.
    List<LedgerRow> before = new Ledger(new JdbcEndpoint(ledgerUrl, null, null)).archives().rowsOfType("assessment");
    List<String> filesBefore = ArchiveFiles.list(root.resolve("archived-batches"));
    ArchiveSummary again = archive(options(ledgerUrl, root, "--period=ALL"));
    assertEquals(0, again.partitions().size());
    assertEquals(ledger.size(), again.run().alreadyArchived().size());
    assertEquals(before, new Ledger(new JdbcEndpoint(ledgerUrl, null, null)).archives().rowsOfType("assessment"));
    assertEquals(filesBefore, ArchiveFiles.list(root.resolve("archived-batches")));
    assertEquals(List.of(), ArchiveFiles.list(root.resolve("_tmp")), "no temporary objects left");
  }

  @Test
  void eachPeriodSelectsItsWeeks() throws Exception {
    Map<String, String> lastWeek = checksums(archive(options(TestServers.newH2Ledger(), dir.resolve("lw"), "--period=LAST_WEEK")));
    assertEquals(
        sourcePartitions(IsoWeek.parse("2021-W01").start(), IsoWeek.parse("2021-W01").end(), null).keySet(),
        lastWeek.keySet());

    Map<String, String> lastTwo =
        checksums(archive(options(TestServers.newH2Ledger(), dir.resolve("l2"), "--period=LAST_N_WEEKS", "--weeks=2")));
    assertEquals(
        sourcePartitions(IsoWeek.parse("2020-W53").start(), IsoWeek.parse("2021-W01").end(), null).keySet(),
        lastTwo.keySet());
    assertTrue(lastTwo.containsKey("edge/2020-W53"));

    Map<String, String> date =
        checksums(archive(options(TestServers.newH2Ledger(), dir.resolve("d"), "--period=DATE", "--date=2016-01-03")));
    assertEquals(List.of("edge/2015-W53"), List.copyOf(date.keySet()));

    ArchiveSummary current =
        archive(options(TestServers.newH2Ledger(), dir.resolve("cur"), "--period=DATE", "--date=2021-01-11"));
    assertTrue(current.run().request().isEmpty());
    assertEquals(0, current.partitions().size());
    assertTrue(current.run().request().notes().get(0).contains("has not ended"));

    Map<String, String> oneBatch =
        checksums(archive(options(TestServers.newH2Ledger(), dir.resolve("b"), "--period=ALL", "--batchIds=batch-001")));
    assertEquals(sourcePartitions(null, IsoWeek.of(AS_OF).start(), "batch-001").keySet(), oneBatch.keySet());
    // Same rows give the same bytes whichever request wrote them.
    for (String k : lastWeek.keySet()) {
      if (oneBatch.containsKey(k)) {
        assertEquals(lastWeek.get(k), oneBatch.get(k), k);
      }
    }
  }

  @Test
  void postgresLedgerAndEmbeddedFlinkGiveTheSamePartitionsAndChecksums() throws Exception {
    // Direct with the SPILL shuffle (its default), Direct with the runner's GroupByKey, and
    // Flink with its own shuffle must all write the same bytes.
    ArchiveSummary direct = archive(options(TestServers.newH2Ledger(), dir.resolve("parity-direct"), "--period=ALL"));
    ArchiveSummary postgres =
        archive(
            options(
                TestServers.newPostgresDatabase(),
                dir.resolve("parity-pg"),
                "--period=ALL",
                "--shuffle=RUNNER",
                "--sortMemoryMb=16"));
    ArchiveSummary flink =
        archive(
            options(
                TestServers.newH2Ledger(),
                dir.resolve("parity-flink"),
                "--period=ALL",
                "--runner=FlinkRunner",
                "--flinkMaster=[local]",
                "--parallelism=2"));
    Map<String, String> expected = checksums(direct);
    assertTrue(expected.size() > 5);
    assertEquals(expected, checksums(postgres));
    assertEquals(expected, checksums(flink));
    Map<String, Long> counts = new HashMap<>();
    direct.partitions().forEach(r -> counts.put(r.batchId() + "/" + r.period(), r.rowCount()));
    flink.partitions().forEach(r -> assertEquals(counts.get(r.batchId() + "/" + r.period()), r.rowCount()));
  }

  static Map<String, String> checksums(ArchiveSummary s) {
    assertEquals(0, s.failedPartitions());
    return s.partitions().stream()
        .collect(Collectors.toMap(r -> r.batchId() + "/" + r.period(), LedgerRow::checksumSha256, (a, b) -> a, TreeMap::new));
  }

  static String text(Object o) {
    return CqlText.of(o);
  }
}
