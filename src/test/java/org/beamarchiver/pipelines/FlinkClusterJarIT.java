package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipFile;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.support.ArchiveFiles;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The bundled jar ({@code target/beam-archiver.jar}, built by {@code package}) launched as its own
 * process, the way an operator runs it, against a real Flink 1.19 session cluster (a JobManager
 * and a TaskManager, separate JVMs on loopback; the runner uploads the jar to it):
 *
 * <ul>
 *   <li>archive on the cluster (ledger in PostgreSQL, written from the workers) and on the
 *       DirectRunner (ledger in H2) give the same partitions, files byte for byte, row counts,
 *       checksums, dead letters and ledger data;
 *   <li>delete on the cluster removes exactly the archived rows, leaves the rest (the unfinished
 *       week, rows without a time), and leaves no driver connection behind on the TaskManager;
 *   <li>archive on the cluster into an {@code s3://} root (S3Proxy) writes what its ledger says,
 *       and {@code verify} agrees; the jar registers the object-store filesystems.
 * </ul>
 */
class FlinkClusterJarIT {
  /** A Wednesday in 2021-W02: 2021-W02 is unfinished, 2020-W53 and 2021-W01 have ended. */
  static final Instant AS_OF = AssessmentFixture.AS_OF;

  static final Path JAR = Paths.get("target/beam-archiver.jar").toAbsolutePath();
  static final Path CLUSTER_ARGS = Paths.get("runner-configs/flink-cluster.args").toAbsolutePath();
  static final Path DIRECT_ARGS = Paths.get("runner-configs/direct.args").toAbsolutePath();
  static final String KEY = "flink-cluster-jar-it signing key";

  /**
   * Filesystem registrars the bundled jar must list in {@code META-INF/services} (merged by the
   * shade plugin), beyond Beam core's local one. Append Azure's when it is bundled.
   */
  static final List<String> BUNDLED_FILESYSTEM_REGISTRARS =
      List.of(
          "org.apache.beam.sdk.io.LocalFileSystemRegistrar",
          "org.apache.beam.sdk.io.aws2.s3.S3FileSystemRegistrar",
          "org.apache.beam.sdk.extensions.gcp.storage.GcsFileSystemRegistrar",
          "org.apache.beam.sdk.io.azure.blobstore.AzureBlobStoreFileSystemRegistrar");

  /** Ledger columns that describe the data (not the run: ids, dates, URLs, request). */
  static final List<String> LEDGER_DATA_COLUMNS =
      List.of(
          "type", "batchid", "period", "collectionid", "archival_status", "deletion_status", "iteration",
          "row_count", "byte_size", "checksum_sha256", "min_time", "max_time", "err_message", "rollup_stats");

  static final String BUCKET = "flink-cluster-it";

  static Cluster cluster;
  static Session session;
  static String flinkMaster;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    assertTrue(Files.isRegularFile(JAR), JAR + " missing: the integration tests run after package");
    cluster = TestServers.cluster();
    session = cluster.connect();
    flinkMaster = TestServers.flinkMaster();
  }

  @AfterAll
  static void stop() {
    // the commands run here left these open: shut them before the temporary folder goes
    org.beamarchiver.support.H2Ledgers.shutdown(h2Ledger("direct"));
    org.beamarchiver.support.H2Ledgers.shutdown(h2Ledger("s3"));
    if (session != null) {
      session.close();
      cluster.close();
    }
  }

  // --- the tests -------------------------------------------------------------------------------

  @Test
  void clusterArchiveEqualsDirectArchiveAndClusterDeleteRemovesExactlyTheArchivedRows() throws Exception {
    // 4 batches over 3 weeks (2 ended + the current one), 3 rows without a time.
    AssessmentFixture data = fixture("flink_cluster_it", 4000, 4, 3, 23L);
    String ks = data.keyspace();
    Path spec = data.spec();
    Map<String, Long> expected = sourcePartitions(ks);
    assertEquals(8, expected.size(), "4 batches x 2 ended weeks: " + expected);

    String clusterLedger = TestServers.newPostgresDatabase();
    String directLedger = h2Ledger("direct");
    Path clusterRoot = dir.resolve("cluster-root");
    Path directRoot = dir.resolve("direct-root");
    List<String> common =
        List.of(
            "--tableSpec=" + spec, "--cassandraPort=" + TestServers.cassandraPort(), "--asOf=" + AS_OF,
            "--period=ALL");

    int finishedBefore = finishedClusterJobs();
    Jar archive =
        jar("cluster-archive", "archive", cluster(common, "--ledgerUrl=" + clusterLedger, "--archiveRoot=" + clusterRoot));
    assertEquals(0, archive.code(), archive.out());
    assertEquals(finishedBefore + 1, finishedClusterJobs(), "the archive ran as a job on the cluster\n" + archive.out());
    Jar direct =
        jar("direct-archive", "archive", direct(common, "--ledgerUrl=" + directLedger, "--archiveRoot=" + directRoot));
    assertEquals(0, direct.code(), direct.out());

    // Same partitions, same bytes (file names carry the run's time: compared by partition).
    Map<String, Path> clusterFiles = archiveFiles(clusterRoot);
    Map<String, Path> directFiles = archiveFiles(directRoot);
    assertEquals(expected.keySet(), clusterFiles.keySet());
    assertEquals(expected.keySet(), directFiles.keySet());
    Map<String, Map<String, Object>> clusterRows = ledger(clusterLedger);
    Map<String, Map<String, Object>> directRows = ledger(directLedger);
    assertEquals(expected.keySet(), clusterRows.keySet());
    for (String p : expected.keySet()) {
      byte[] bytes = Files.readAllBytes(clusterFiles.get(p));
      assertArrayEquals(Files.readAllBytes(directFiles.get(p)), bytes, p);
      assertEquals(expected.get(p), (long) records(bytes).size(), p + " rows in the file");
      Map<String, Object> row = clusterRows.get(p);
      assertEquals("SUCCESS", row.get("archival_status"), p);
      assertEquals(String.valueOf(expected.get(p)), row.get("row_count"), p);
      assertEquals(ArchiveFiles.sha256(clusterFiles.get(p)), row.get("checksum_sha256"), p);
      assertEquals(String.valueOf(bytes.length), row.get("byte_size"), p);
    }
    // The ledgers agree on everything about the data (PostgreSQL written from the cluster's
    // workers, H2 from the DirectRunner).
    assertEquals(directRows, clusterRows);
    assertEquals(deadLetters(directRoot), deadLetters(clusterRoot));
    assertEquals(3, deadLetters(clusterRoot).size());

    // Delete on the cluster: exactly the archived rows go.
    Set<String> archivedKeys = new HashSet<>();
    for (Path f : clusterFiles.values()) {
      for (Map<String, String> r : ArchiveFiles.read(f)) {
        archivedKeys.add(key(r.get("user_id"), r.get("course_id"), r.get("batch_id"), r.get("content_id"), r.get("attempt_id")));
      }
    }
    Set<String> before = liveKeys(ks);
    assertTrue(before.containsAll(archivedKeys));
    Set<String> expectedAfter = new TreeSet<>(before);
    expectedAfter.removeAll(archivedKeys);
    assertFalse(expectedAfter.isEmpty(), "rows of the unfinished week and without a time stay");

    int clientsBefore = cassandraClients();
    Jar delete =
        jar("cluster-delete", "delete", cluster(common, "--ledgerUrl=" + clusterLedger, "--archiveRoot=" + clusterRoot));
    assertEquals(0, delete.code(), delete.out());
    assertEquals(finishedBefore + 2, finishedClusterJobs(), "the delete ran as a job on the cluster\n" + delete.out());
    assertEquals(expectedAfter, liveKeys(ks));
    long unfinishedWeek =
        session.execute("SELECT updated_on FROM " + ks + ".assessment_aggregator").all().stream()
            .filter(r -> r.getTimestamp("updated_on") != null)
            .filter(r -> !r.getTimestamp("updated_on").toInstant().isBefore(IsoWeek.of(AS_OF).start()))
            .count();
    assertEquals(expectedAfter.size() - 3, unfinishedWeek, "what is left: the unfinished week and 3 rows without a time");
    for (Map.Entry<String, Map<String, Object>> e : ledgerAfterDelete(clusterLedger).entrySet()) {
      assertEquals("SUCCESS", e.getValue().get("deletion_status"), e.getKey());
      assertEquals(expected.get(e.getKey()), e.getValue().get("deleted_rows"), e.getKey());
    }
    // The delete's workers closed their driver sessions when the job ended (a TaskManager runs
    // many jobs; a session kept per JVM leaked a driver per job).
    assertEventually(
        () -> cassandraClients() <= clientsBefore,
        () -> "driver connections left by the delete job: " + cassandraClients() + " clients, " + clientsBefore + " before it");
  }

  @Test
  void clusterArchivesIntoAnS3RootFromTheJar() throws Exception {
    try (ZipFile zip = new ZipFile(JAR.toFile())) {
      String services =
          new String(
              zip.getInputStream(zip.getEntry("META-INF/services/org.apache.beam.sdk.io.FileSystemRegistrar")).readAllBytes(),
              StandardCharsets.UTF_8);
      assertTrue(services.lines().map(String::strip).toList().containsAll(BUNDLED_FILESYSTEM_REGISTRARS), services);
    }

    AssessmentFixture data = fixture("flink_cluster_s3_it", 1500, 3, 2, 29L);
    String ks = data.keyspace();
    Map<String, Long> expected = sourcePartitions(ks);
    assertEquals(6, expected.size(), "3 batches x 2 ended weeks: " + expected);
    String endpoint = TestServers.s3Endpoint();
    try (S3Client s3 = TestServers.s3Client(URI.create(endpoint))) {
      s3.createBucket(b -> b.bucket(BUCKET));
      // The workers on the cluster get the credentials with the pipeline options (the launcher's
      // environment does not reach them).
      String ledger = h2Ledger("s3");
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--tableSpec=" + data.spec(), "--asOf=" + AS_OF, "--period=ALL", "--ledgerUrl=" + ledger,
                  "--archiveRoot=s3://" + BUCKET + "/root"));
      args.addAll(TestServers.s3Options(endpoint));
      int finishedBefore = finishedClusterJobs();
      Jar archive = jar("cluster-s3-archive", "archive", cluster(args, "--cassandraPort=" + TestServers.cassandraPort()));
      assertEquals(0, archive.code(), archive.out());
      assertEquals(finishedBefore + 1, finishedClusterJobs(), "the archive ran as a job on the cluster\n" + archive.out());

      Map<String, String> objects = new TreeMap<>();
      for (String k : keys(s3, "root/archived-batches/assessment/")) {
        objects.put(partitionOf(k.substring(k.lastIndexOf('/') + 1)), k);
      }
      assertEquals(expected.keySet(), objects.keySet());
      Map<String, Map<String, Object>> rows = ledger(ledger);
      assertEquals(expected.keySet(), rows.keySet());
      for (String p : expected.keySet()) {
        byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(objects.get(p))).asByteArray();
        assertEquals(expected.get(p), (long) records(bytes).size(), p + " rows in the object");
        assertEquals(String.valueOf(expected.get(p)), rows.get(p).get("row_count"), p);
        assertEquals(sha256(bytes), rows.get(p).get("checksum_sha256"), p);
        assertEquals("SUCCESS", rows.get(p).get("archival_status"), p);
      }
      assertEquals(1, keys(s3, "root/manifests/assessment/").size());
      assertEquals(1, keys(s3, "root/dead-letters/assessment/").size());
      assertEquals(List.of(), keys(s3, "root/_tmp/"), "nothing temporary left in the bucket");

      Jar verify = jar("s3-verify", "verify", direct(args));
      assertEquals(0, verify.code(), verify.out());
      assertTrue(verify.out().contains(expected.size() + " OK"), verify.out());
    }
  }

  // --- the jar as a process ----------------------------------------------------------------------

  record Jar(int code, String out) {}

  static List<String> cluster(List<String> common, String... extra) {
    List<String> a = new ArrayList<>();
    a.add("@" + CLUSTER_ARGS);
    a.add("--flinkMaster=" + flinkMaster);
    a.add("--parallelism=2");
    a.addAll(common);
    a.addAll(List.of(extra));
    return a;
  }

  static List<String> direct(List<String> common, String... extra) {
    List<String> a = new ArrayList<>();
    a.add("@" + DIRECT_ARGS);
    a.addAll(common);
    a.addAll(List.of(extra));
    return a;
  }

  /** {@code java -jar target/beam-archiver.jar <command> <args>}, the key in the environment. */
  static Jar jar(String name, String command, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.add("-jar");
    cmd.add(JAR.toString());
    cmd.add(command);
    cmd.addAll(args);
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put(SigningKey.ENV, KEY);
    long start = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not end within 10 minutes:\n" + Files.readString(log));
    }
    String out = Files.readString(log);
    System.out.printf("%s: exit %d after %.1fs%n", name, p.exitValue(), (System.nanoTime() - start) / 1e9);
    return new Jar(p.exitValue(), out);
  }

  // --- reading what the runs left ------------------------------------------------------------------

  /**
   * A keyspace of generated rows and its spec. The options are this class's own: the jar takes the
   * runner's options from its @files and the key from the environment, and each run names its ledger and root.
   */
  static AssessmentFixture fixture(String keyspacePrefix, int rows, int batches, int deadLetters, long seed)
      throws Exception {
    return AssessmentFixture.builder(session, dir).keyspacePrefix(keyspacePrefix)
        .rows(rows).batches(batches).weeks(3).deadLetters(deadLetters).seed(seed).build();
  }

  static String h2Ledger(String name) {
    // No DB_CLOSE_DELAY: the test's connections must not keep the file open for the next process.
    return "jdbc:h2:file:" + dir.resolve("ledger-" + name) + ";AUTO_SERVER=TRUE";
  }

  /** Source truth: "batch-week" (as in file names, e.g. batch-000-2021-01) → rows, ended weeks only. */
  static Map<String, Long> sourcePartitions(String ks) {
    Map<String, Long> out = new TreeMap<>();
    Instant end = IsoWeek.of(AS_OF).start();
    for (Row r : session.execute("SELECT batch_id, updated_on FROM " + ks + ".assessment_aggregator")) {
      if (r.getTimestamp("updated_on") == null || !r.getTimestamp("updated_on").toInstant().isBefore(end)) {
        continue;
      }
      IsoWeek w = IsoWeek.of(r.getTimestamp("updated_on").toInstant());
      out.merge(String.format("%s-%s", r.getString("batch_id"), fileWeek(w)), 1L, Long::sum);
    }
    return out;
  }

  static String fileWeek(IsoWeek w) {
    String p = w.toString(); // 2021-W01
    return p.replace("-W", "-");
  }

  /** batch-000-2021-01-1795338824470.csv.gz → batch-000-2021-01 */
  static String partitionOf(String fileName) {
    return fileName.replaceFirst("-\\d+\\.csv\\.gz$", "");
  }

  static Map<String, Path> archiveFiles(Path root) throws IOException {
    Map<String, Path> out = new TreeMap<>();
    Path folder = root.resolve("archived-batches/assessment");
    for (String f : ArchiveFiles.list(folder)) {
      assertTrue(out.put(partitionOf(f), folder.resolve(f)) == null, "two files for one partition: " + f);
    }
    return out;
  }

  static Set<String> deadLetters(Path root) throws IOException {
    Set<String> out = new TreeSet<>();
    Path folder = root.resolve("dead-letters/assessment");
    for (String f : ArchiveFiles.list(folder)) {
      List<String> lines = Files.readAllLines(folder.resolve(f));
      out.addAll(lines.subList(1, lines.size()));
    }
    return out;
  }

  static List<CSVRecord> records(byte[] gzip) throws IOException {
    try (CSVParser csv =
        CsvLines.READ_FORMAT.parse(
            new InputStreamReader(new GZIPInputStream(new ByteArrayInputStream(gzip)), StandardCharsets.UTF_8))) {
      return csv.getRecords();
    }
  }

  static String sha256(byte[] bytes) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  static String key(Object... parts) {
    StringBuilder sb = new StringBuilder();
    for (Object p : parts) {
      sb.append(p).append('|');
    }
    return sb.toString();
  }

  static Set<String> liveKeys(String ks) {
    Set<String> out = new TreeSet<>();
    for (Row r :
        session.execute("SELECT user_id, course_id, batch_id, content_id, attempt_id FROM " + ks + ".assessment_aggregator")) {
      out.add(key(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4)));
    }
    return out;
  }

  /** Ledger rows by partition ("batch-000-2021-01"): the data columns, times as instants. */
  static Map<String, Map<String, Object>> ledger(String url) throws SQLException {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    try (Connection c = connect(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + String.join(", ", LEDGER_DATA_COLUMNS) + " FROM archival_metadata")) {
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (String col : LEDGER_DATA_COLUMNS) {
          Object v =
              col.endsWith("_time")
                  ? rs.getObject(col, OffsetDateTime.class) == null ? null : rs.getObject(col, OffsetDateTime.class).toInstant()
                  : rs.getString(col);
          row.put(col, v);
        }
        String period = rs.getString("period"); // 2021W01 or 2021-W01
        out.put(rs.getString("batchid") + "-" + period.substring(0, 4) + "-" + period.substring(period.length() - 2), row);
      }
    }
    return out;
  }

  static Map<String, Map<String, Object>> ledgerAfterDelete(String url) throws SQLException {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    try (Connection c = connect(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT batchid, period, deletion_status, deleted_rows FROM archival_metadata")) {
      while (rs.next()) {
        String period = rs.getString("period");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("deletion_status", rs.getString("deletion_status"));
        row.put("deleted_rows", rs.getLong("deleted_rows"));
        out.put(rs.getString("batchid") + "-" + period.substring(0, 4) + "-" + period.substring(period.length() - 2), row);
      }
    }
    return out;
  }

  static Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url);
  }

  static List<String> keys(S3Client s3, String prefix) {
    return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream().map(S3Object::key).toList();
  }

  // --- the servers ---------------------------------------------------------------------------------

  /** Jobs the session cluster has FINISHED, from its REST API. */
  static int finishedClusterJobs() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://" + flinkMaster + "/jobs/overview")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    int n = 0;
    for (JsonNode job : new ObjectMapper().readTree(r.body()).get("jobs")) {
      if (job.get("state").asText().equals("FINISHED")) {
        n++;
      }
    }
    return n;
  }

  /** Client connections Cassandra holds now (its system_views.clients virtual table). */
  static int cassandraClients() {
    return session.execute("SELECT address FROM system_views.clients").all().size();
  }

  interface Check {
    boolean holds() throws Exception;
  }

  static void assertEventually(Check check, java.util.function.Supplier<String> what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what.get() + " (after 30 s)");
      }
      Thread.sleep(500);
    }
  }
}
