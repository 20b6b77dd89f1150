package org.beamarchiver.integrity;

import org.beamarchiver.ledger.DeletionStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.beamarchiver.cli.Main;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.RollupStats;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.TestServers;
import org.beamarchiver.support.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed manifests, roll-up statistics and verify against real Cassandra and a real ledger:
 * tampering with a file, a manifest or a ledger checksum is caught by verify and blocks the
 * delete of exactly those partitions; a wrong key fails every signature and deletes nothing; the
 * roll-ups equal statistics computed from the source rows; the key is in no output, log,
 * manifest or ledger.
 */
class IntegrityIT {
  static final Instant AS_OF = AssessmentFixture.AS_OF;
  static final String KEY = "it-secret-" + Long.toHexString(System.nanoTime()) + "-do-not-print";

  static Cluster cluster;
  static Session session;
  @TempDir static Path dir;
  static Path keyFile;

  @BeforeAll
  static void connect() throws Exception {
    cluster = TestServers.cluster();
    session = cluster.connect();
    keyFile = dir.resolve("signing.key");
    Files.writeString(keyFile, KEY + "\n");
  }

  @AfterAll
  static void close() {
    session.close();
    cluster.close();
  }

  /** 10 batches over 2020-W53, 2021-W01 (20 partitions to archive) and the current 2021-W02. */
  static AssessmentFixture fixture(String name, String ledgerUrl) throws Exception {
    return AssessmentFixture.builder(session, dir).name(name).keyspacePrefix("integrity_it")
        .rows(3000).batches(10).weeks(3).deadLetters(0).seed(11L)
        .ledger(ledgerUrl).signingKeyFile(keyFile).options("--cassandraSplits=4").build();
  }

  /**
   * A command over a fixture: verify reads no Cassandra, status no archive and no key (the
   * fixture's key unless {@code extra} names another).
   */
  static List<String> args(AssessmentFixture f, String command, String... extra) {
    List<String> a = f.options(extra);
    if (command.equals("verify")) {
      a.removeIf(x -> x.startsWith("--cassandraPort=") || x.startsWith("--cassandraSplits="));
    }
    if (command.equals("status")) {
      a.removeIf(x -> x.startsWith("--archiveRoot=") || x.startsWith("--signingKeyFile="));
    }
    a.add(0, command);
    return a;
  }

  static Cli cli(AssessmentFixture f, String command, String... extra) {
    return Cli.run(args(f, command, extra));
  }

  /** Source rows per partition (batch / week): what the archive must hold. */
  static Map<String, List<Row>> sourceRows(String ks) {
    Map<String, List<Row>> out = new TreeMap<>();
    for (Row r :
        session.execute(
            "SELECT batch_id, updated_on, user_id, content_id, total_score, total_max_score FROM " + ks
                + ".assessment_aggregator")) {
      String week = IsoWeek.ofEpochMillis(r.getTimestamp("updated_on").getTime()).toString();
      out.computeIfAbsent(r.getString("batch_id") + "/" + week, k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  static long rowsOf(String ks, String partition) {
    List<Row> rows = sourceRows(ks).get(partition);
    return rows == null ? 0 : rows.size();
  }

  static Map<String, Long> statusCounts(String out) {
    Map<String, Long> counts = new HashMap<>();
    for (String line : out.split("\n")) {
      String[] w = line.trim().split("\\s+");
      if (w.length > 1 && w[0].matches("OK|MISSING|SIZE_MISMATCH|CHECKSUM_MISMATCH|SIGNATURE_INVALID|MANIFEST_MISMATCH|ORPHAN")) {
        counts.merge(w[0], 1L, Long::sum);
      }
    }
    return counts;
  }

  @Test
  void tamperingIsCaughtByVerifyAndBlocksTheDeleteOfExactlyThosePartitions() throws Exception {
    AssessmentFixture f = fixture("tamper", TestServers.newH2Ledger());
    Cli first = cli(f, "archive", "--batchIds=batch-000,batch-001");
    assertEquals(0, first.code(), first.out());
    Cli second = cli(f, "archive");
    assertEquals(0, second.code(), second.out());
    List<LedgerRow> archived = f.archived();
    assertEquals(20, archived.size());
    Set<String> manifests = archived.stream().map(LedgerRow::manifestUrl).collect(Collectors.toSet());
    assertEquals(2, manifests.size(), "one manifest per run: " + manifests);
    assertFalse(manifests.contains(null));

    // Roll-ups equal statistics computed from the source rows, before anything is deleted.
    Map<String, List<Row>> source = sourceRows(f.keyspace());
    for (LedgerRow r : archived) {
      List<Row> rows = source.get(r.batchId() + "/" + r.period());
      assertRollupEquals(rows, RollupStats.parse(r.rollupStats()), r.batchId() + " " + r.period());
    }

    Cli clean = cli(f, "verify");
    assertEquals(0, clean.code(), clean.out());
    assertEquals(Map.of("OK", 20L), statusCounts(clean.out()));

    // Tamper: run 1's manifest (a row count), one file's bytes, one ledger checksum; add an orphan.
    LedgerRow inFirst = archived.stream().filter(r -> r.batchId().equals("batch-000")).findFirst().orElseThrow();
    Path manifest = Paths.get(inFirst.manifestUrl());
    String m = Files.readString(manifest);
    String changed = m.replaceFirst("\"rows\" : (\\d+)", "\"rows\" : 1$1");
    assertFalse(changed.equals(m));
    Files.writeString(manifest, changed);
    List<LedgerRow> secondRun =
        archived.stream().filter(r -> !r.manifestUrl().equals(inFirst.manifestUrl())).sorted(
            java.util.Comparator.comparing(LedgerRow::batchId).thenComparing(LedgerRow::period)).toList();
    LedgerRow byteFlipped = secondRun.get(0);
    LedgerRow ledgerChanged = secondRun.get(1);
    Path file = Paths.get(byteFlipped.blobUrl());
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(file, bytes);
    try (Connection c = DriverManager.getConnection(f.ledgerUrl());
        PreparedStatement s = c.prepareStatement("UPDATE archival_metadata SET checksum_sha256 = ? WHERE uuid = ?")) {
      s.setString(1, "0".repeat(64));
      s.setString(2, ledgerChanged.uuid());
      assertEquals(1, s.executeUpdate());
    }
    Path orphan = file.resolveSibling("batch-009-2021-01-1234.csv.gz");
    Files.copy(Paths.get(secondRun.get(2).blobUrl()), orphan);

    Cli tampered = cli(f, "verify", "--problemsOnly=true");
    assertEquals(6, tampered.code(), tampered.out());
    assertEquals(
        Map.of("SIGNATURE_INVALID", 4L, "CHECKSUM_MISMATCH", 2L, "ORPHAN", 1L), statusCounts(tampered.out()), tampered.out());
    assertTrue(tampered.out().contains("14 OK"), tampered.out());
    assertTrue(tampered.out().contains(orphan.getFileName().toString()), tampered.out());

    // The delete refuses the tampered partitions and deletes the others.
    Map<String, Long> before = new HashMap<>();
    source.forEach((k, v) -> before.put(k, (long) v.size()));
    Cli delete = cli(f, "delete");
    assertEquals(3, delete.code(), delete.out());
    Set<String> kept = new HashSet<>();
    for (LedgerRow r : archived) {
      if (r.batchId().equals("batch-000") || r.batchId().equals("batch-001") || r.uuid().equals(byteFlipped.uuid())
          || r.uuid().equals(ledgerChanged.uuid())) {
        kept.add(r.batchId() + "/" + r.period());
      }
    }
    assertEquals(6, kept.size());
    for (LedgerRow r : archived) {
      String p = r.batchId() + "/" + r.period();
      long now = rowsOf(f.keyspace(), p);
      if (kept.contains(p)) {
        assertEquals(before.get(p), now, "rows of tampered partition " + p + " must all remain");
      } else {
        assertEquals(0, now, "rows of verified partition " + p + " are deleted");
      }
    }
    Map<String, LedgerRow> after = new HashMap<>();
    f.archived().forEach(r -> after.put(r.batchId() + "/" + r.period(), r));
    for (String p : kept) {
      assertEquals(DeletionStatus.FAILED, after.get(p).deletionStatus(), p);
    }
    assertTrue(after.get(inFirst.batchId() + "/" + inFirst.period()).errMessage().contains("SIGNATURE_INVALID"));
    Cli status = cli(f, "status");
    assertEquals(0, status.code(), status.out());
    assertTrue(status.out().contains("SIGNATURE_INVALID") && status.out().contains("user_id="), status.out());
  }

  @Test
  void aWrongKeyFailsEverySignatureAndDeletesNothing() throws Exception {
    AssessmentFixture f = fixture("wrongkey", TestServers.newH2Ledger());
    Cli archive = cli(f, "archive");
    assertEquals(0, archive.code(), archive.out());
    Path other = dir.resolve("other.key");
    Files.writeString(other, "a different key of enough length");
    Cli verify = cli(f, "verify", "--signingKeyFile=" + other);
    assertEquals(6, verify.code(), verify.out());
    assertEquals(Map.of("SIGNATURE_INVALID", 20L), statusCounts(verify.out()), verify.out());
    String rightId = SigningKey.resolve(keyFile.toString(), Map.of(), dir.resolve("none"), false, n -> {}).id();
    assertTrue(verify.out().contains("it names key " + rightId), verify.out());

    long before = session.execute("SELECT count(*) FROM " + f.keyspace() + ".assessment_aggregator").one().getLong(0);
    Cli delete = cli(f, "delete", "--signingKeyFile=" + other);
    assertEquals(3, delete.code(), delete.out());
    assertEquals(before, session.execute("SELECT count(*) FROM " + f.keyspace() + ".assessment_aggregator").one().getLong(0));
    assertTrue(delete.out().contains("20 more refused"), delete.out());
  }

  @Test
  void theKeyIsInNoOutputLogManifestOrLedger() throws Exception {
    AssessmentFixture f = fixture("leak", TestServers.newH2Ledger());
    Path log = dir.resolve("leak.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=debug");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.beamarchiver.cli.Main");
    List<String> a = args(f, "archive");
    a.removeIf(x -> x.startsWith("--signingKeyFile"));
    cmd.addAll(a);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put(SigningKey.ENV, KEY);
    Process p = pb.start();
    assertTrue(p.waitFor(3, TimeUnit.MINUTES));
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out);
    String id = SigningKey.resolve(keyFile.toString(), Map.of(), dir.resolve("none"), false, n -> {}).id();
    assertTrue(out.contains("signed with key " + id), out);

    Cli verify = cli(f, "verify");
    assertEquals(0, verify.code(), verify.out());
    Cli delete = cli(f, "delete", "--dryRun=true");
    assertEquals(0, delete.code(), delete.out());

    StringBuilder everything = new StringBuilder(out).append(verify.out()).append(delete.out());
    try (java.util.stream.Stream<Path> files = Files.walk(f.root())) {
      for (Path q : files.filter(q -> q.toString().endsWith(".json")).toList()) {
        everything.append(Files.readString(q));
      }
    }
    try (Connection c = DriverManager.getConnection(f.ledgerUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SCRIPT")) {
      while (rs.next()) {
        everything.append(rs.getString(1)).append('\n');
      }
    }
    assertTrue(everything.toString().contains("archival_metadata".toUpperCase()) || everything.toString().contains("archival_metadata"));
    assertFalse(everything.toString().contains(KEY), "the key leaked");
    assertNotNull(f.archived().get(0).manifestUrl());
  }

  static void assertRollupEquals(List<Row> rows, Map<String, Object> stats, String what) {
    assertEquals((long) rows.size(), ((Number) stats.get("rows")).longValue(), what);
    Map<?, ?> distinct = (Map<?, ?>) stats.get("distinct");
    assertEquals(rows.stream().map(r -> r.getString("user_id")).distinct().count(), ((Number) distinct.get("user_id")).longValue(), what);
    assertEquals(
        rows.stream().map(r -> r.getString("content_id")).distinct().count(), ((Number) distinct.get("content_id")).longValue(), what);
    Map<?, ?> numeric = (Map<?, ?>) stats.get("numeric");
    for (String column : List.of("total_score", "total_max_score")) {
      double[] values = rows.stream().filter(r -> !r.isNull(column)).mapToDouble(r -> r.getDouble(column)).toArray();
      Map<?, ?> s = (Map<?, ?>) numeric.get(column);
      assertEquals((long) values.length, ((Number) s.get("count")).longValue(), what + " " + column);
      assertTrue(values.length > 0, what);
      assertEquals(java.util.Arrays.stream(values).min().getAsDouble(), ((Number) s.get("min")).doubleValue(), 0.0, what);
      assertEquals(java.util.Arrays.stream(values).max().getAsDouble(), ((Number) s.get("max")).doubleValue(), 0.0, what);
      assertEquals(java.util.Arrays.stream(values).average().getAsDouble(), ((Number) s.get("mean")).doubleValue(), 1e-9, what);
    }
  }
}
