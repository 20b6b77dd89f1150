package org.beamarchiver.control;

import org.beamarchiver.ledger.DeletionStatus;
import org.beamarchiver.ledger.ArchiveStatus;
import org.beamarchiver.ledger.JobState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beamarchiver.cli.Main;
import org.beamarchiver.ledger.Jobs;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.options.DeleteOptions;
import org.beamarchiver.pipelines.ArchivePipeline;
import org.beamarchiver.pipelines.ArchiveSummary;
import org.beamarchiver.pipelines.DeletePipeline;
import org.beamarchiver.pipelines.Progress;
import org.beamarchiver.support.ArchiveFiles;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.TestServers;
import org.beamarchiver.support.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run control against real servers: failures isolated per partition, processes killed in the
 * middle and rerun, forced re-archives (and their refusal), leases, plans.
 */
class RunControlIT {
  static final Instant AS_OF = AssessmentFixture.AS_OF;

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

  /** 10 batches over 2020-W53, 2021-W01 and the current 2021-W02: 20 partitions to archive. */
  static AssessmentFixture fixture(String name, String ledgerUrl, int rows) throws Exception {
    return AssessmentFixture.builder(session, dir).name(name).keyspacePrefix("control_it")
        .rows(rows).batches(10).weeks(3).deadLetters(0).seed(9L)
        .ledger(ledgerUrl).options("--cassandraSplits=4", "--retryBackoffSeconds=0").build();
  }

  static ArchiveSummary archive(AssessmentFixture f, String... extra) throws Exception {
    ArchiveOptions o = PipelineOptionsFactory.fromArgs(f.options(extra).toArray(new String[0])).as(ArchiveOptions.class);
    return ArchivePipeline.run(o, Clock.fixed(AS_OF, ZoneOffset.UTC), new Progress(quiet()));
  }

  /** The CLI in this process: exit code and everything it printed. */
  static Cli cli(String command, AssessmentFixture f, String... extra) {
    List<String> a = new ArrayList<>();
    a.add(command);
    a.addAll(f.options(extra));
    if (command.equals("status")) {
      a.removeIf(x -> x.startsWith("--cassandra") || x.startsWith("--archiveRoot") || x.startsWith("--retry"));
    }
    return Cli.run(a);
  }

  /** The CLI in its own JVM (to be killed). */
  static Process spawn(String command, AssessmentFixture f, Path log, String... extra) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.beamarchiver.cli.Main");
    cmd.add(command);
    cmd.addAll(f.options(extra));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  /** Source rows per (batch, week) of complete weeks: what the archive must hold. */
  static Map<String, Integer> truth(AssessmentFixture f) {
    Map<String, Integer> out = new TreeMap<>();
    IsoWeek current = IsoWeek.of(AS_OF);
    for (Row r : session.execute("SELECT batch_id, updated_on FROM " + f.table())) {
      IsoWeek w = IsoWeek.of(r.getTimestamp(1).toInstant());
      if (w.compareTo(current) < 0) {
        out.merge(r.getString(0) + " " + w, 1, Integer::sum);
      }
    }
    return out;
  }

  /**
   * The promise after any sequence of runs: every partition SUCCESS once, holding exactly its
   * source rows, and the objects under the root are exactly the SUCCESS rows' objects.
   */
  static void assertConsistent(AssessmentFixture f, Map<String, Integer> truth) throws Exception {
    Map<String, Integer> archived = new TreeMap<>();
    Set<String> recorded = new TreeSet<>();
    for (LedgerRow r : f.ledger().archives().rowsOfType("assessment")) {
      assertEquals(ArchiveStatus.SUCCESS, r.archivalStatus(), r.toString());
      assertEquals(null, r.pendingRunId(), "no write-ahead left open: " + r);
      Path file = Paths.get(r.blobUrl());
      List<Map<String, String>> rows = ArchiveFiles.read(file);
      assertEquals(r.rowCount().intValue(), rows.size());
      assertEquals(r.checksumSha256(), ArchiveFiles.sha256(file));
      archived.put(r.batchId() + " " + r.period(), rows.size());
      recorded.add(file.toString());
    }
    assertEquals(truth, archived, "each partition holds exactly its source rows, once");
    Set<String> objects;
    try (Stream<Path> s = Files.list(f.archives())) {
      objects = s.map(Path::toString).collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(recorded, objects, "no object without its ledger row, no SUCCESS row without its object");
    Path tmp = f.root().resolve("_tmp");
    if (Files.exists(tmp)) {
      try (Stream<Path> s = Files.list(tmp)) {
        assertEquals(List.of(), s.toList(), "no temporary files left");
      }
    }
  }

  @Test
  void aStorageFailureFailsOnePartitionTheOthersGoOnAndARerunFinishesIt() throws Exception {
    AssessmentFixture f = fixture("storage", TestServers.newH2Ledger(), 400);
    Map<String, Integer> truth = truth(f);
    Cli plan = cli("plan", f);
    assertEquals(0, plan.code(), plan.out());
    Path runFile = Paths.get(plan.out().lines().filter(l -> l.contains("run file: ")).findFirst().get().split("run file: ")[1].trim());
    RunFile rf = RunFile.read(runFile.toString());
    assertEquals(truth.size(), rf.partitions().size());
    assertFalse(Files.exists(f.archives()), "a plan writes no archive");
    assertTrue(f.ledger().archives().rowsOfType("assessment").isEmpty(), "a plan records no partition");

    // A directory where one partition's object must go: its rename fails, the others succeed.
    RunFile.Partition victim = rf.partitions().get(3);
    Path blocker = Paths.get(victim.target());
    Files.createDirectories(blocker.resolve("blocked"));
    Cli first = cli("archive", f, "--plan=" + runFile);
    assertEquals(3, first.code(), first.out());
    Map<String, LedgerRow> rows = new HashMap<>();
    f.ledger().archives().rowsOfType("assessment").forEach(r -> rows.put(r.batchId() + " " + r.period(), r));
    String victimKey = victim.batchId() + " " + victim.period();
    assertEquals(ArchiveStatus.FAILED, rows.get(victimKey).archivalStatus());
    assertTrue(rows.get(victimKey).errMessage().contains("write failed"), rows.get(victimKey).errMessage());
    assertEquals(truth.size() - 1, rows.values().stream().filter(r -> r.archived()).count());

    Jobs jobs = new Jobs(new JdbcEndpoint(f.ledgerUrl(), null, null));
    Jobs.JobRow job = jobs.recent("assessment", 1).get(0);
    assertEquals(JobState.COMPLETED_WITH_FAILURES, job.state());
    assertEquals(3, job.exitCode());
    List<JobState> states = jobs.transitions(job.jobId()).stream().map(Jobs.Transition::state).toList();
    assertEquals(
        List.of(JobState.UNINITIALIZED, JobState.QUEUED, JobState.PROCESSING, JobState.ARCHIVING,
            JobState.POST_PROCESSING, JobState.STORING, JobState.CLEANUP, JobState.COMPLETED_WITH_FAILURES),
        states);

    Files.delete(blocker.resolve("blocked"));
    Files.delete(blocker);
    Cli second = cli("archive", f, "--plan=" + runFile);
    assertEquals(0, second.code(), second.out());
    LedgerRow redone = f.ledger().archives().rowsOfType("assessment").stream()
        .filter(r -> (r.batchId() + " " + r.period()).equals(victimKey)).findFirst().get();
    assertEquals(2, redone.iteration());
    assertConsistent(f, truth);
    RunFile after = RunFile.read(runFile.toString());
    assertEquals(2, after.executions().size(), "both executions are recorded in the run file");

    Cli status = cli("status", f, "--json=true");
    assertEquals(0, status.code(), status.out());
    assertTrue(status.out().contains("COMPLETED_WITH_FAILURES") && status.out().contains(victim.batchId()), status.out());
  }

  @Test
  void aPlanExecutedGivesTheSamePartitionsAsADirectRun() throws Exception {
    AssessmentFixture planned = fixture("planned", TestServers.newH2Ledger(), 300);
    AssessmentFixture direct = planned.with("--archiveRoot=" + dir.resolve("direct"), "--ledgerUrl=" + TestServers.newH2Ledger());
    Cli plan = cli("plan", planned);
    assertEquals(0, plan.code(), plan.out());
    Cli again = cli("plan", planned);
    assertTrue(again.out().contains("(reused)"), "a plan younger than an hour is reused: " + again.out());
    Cli executed = cli("archive", planned);
    assertEquals(0, executed.code(), executed.out());
    assertTrue(executed.out().contains("executing the plan"), executed.out());
    archive(direct);
    Map<String, String> a = new TreeMap<>();
    planned.ledger().archives().rowsOfType("assessment").forEach(r -> a.put(r.batchId() + " " + r.period(), r.rowCount() + " " + r.checksumSha256()));
    Map<String, String> b = new TreeMap<>();
    direct.ledger().archives().rowsOfType("assessment").forEach(r -> b.put(r.batchId() + " " + r.period(), r.rowCount() + " " + r.checksumSha256()));
    assertEquals(b, a);
    assertConsistent(planned, truth(planned));
  }

  @Test
  void forceReArchivesAndSupersedesButRefusesDeletedPartitions() throws Exception {
    AssessmentFixture f = fixture("force", TestServers.newH2Ledger(), 300);
    Map<String, Integer> truth = truth(f);
    archive(f);
    Map<String, LedgerRow> before = new TreeMap<>();
    f.ledger().archives().rowsOfType("assessment").forEach(r -> before.put(r.batchId() + " " + r.period(), r));

    ArchiveSummary forced = archive(f, "--forceArchival=true", "--batchIds=batch-001");
    assertEquals(0, forced.failedPartitions());
    for (LedgerRow r : f.ledger().archives().rowsOfType("assessment")) {
      LedgerRow old = before.get(r.batchId() + " " + r.period());
      if (r.batchId().equals("batch-001")) {
        assertEquals(2, r.iteration());
        assertNotEquals(old.blobUrl(), r.blobUrl());
        assertEquals(old.checksumSha256(), r.checksumSha256(), "same rows, same bytes");
        assertFalse(Files.exists(Paths.get(old.blobUrl())), "the superseded object is removed");
      } else {
        assertEquals(old, r, "other partitions untouched");
      }
    }
    List<Map<String, Object>> history = f.ledger().archives().history("assessment");
    assertEquals(2, history.size());
    history.forEach(h -> assertEquals(ArchiveStatus.SUPERSEDED.name(), h.get("archival_status")));
    history.forEach(h -> assertEquals(Boolean.TRUE, h.get("object_removed")));
    assertConsistent(f, truth);

    // Delete batch-002's rows, then try to force it: refused, nothing changed.
    DeleteOptions d = PipelineOptionsFactory.fromArgs(f.options("--batchIds=batch-002").toArray(new String[0])).as(DeleteOptions.class);
    DeletePipeline.run(d, Clock.fixed(AS_OF, ZoneOffset.UTC), new Progress(quiet()));
    List<LedgerRow> ledgerBefore = f.ledger().archives().rowsOfType("assessment");
    Set<String> objectsBefore = ArchiveFiles.list(f.archives()).stream().collect(Collectors.toSet());
    Cli refused = cli("archive", f, "--forceArchival=true", "--batchIds=batch-002,batch-003");
    assertEquals(5, refused.code(), refused.out());
    assertTrue(refused.out().contains("refused") && refused.out().contains("batch-002"), refused.out());
    assertEquals(ledgerBefore, f.ledger().archives().rowsOfType("assessment"));
    assertEquals(objectsBefore, ArchiveFiles.list(f.archives()).stream().collect(Collectors.toSet()));
  }

  @Test
  void aPartitionThatFailedMaxIterationsTimesIsSkippedUnlessForced() throws Exception {
    AssessmentFixture f = fixture("iterations", TestServers.newH2Ledger(), 200);
    archive(f);
    LedgerRow victim = f.ledger().archives().rowsOfType("assessment").get(0);
    Files.delete(Paths.get(victim.blobUrl()));
    try (Connection c = DriverManager.getConnection(f.ledgerUrl());
        PreparedStatement s = c.prepareStatement(
            "UPDATE archival_metadata SET archival_status = 'FAILED', iteration = 3, blob_url = NULL WHERE uuid = ?")) {
      s.setString(1, victim.uuid());
      s.executeUpdate();
    }
    Cli skipped = cli("archive", f);
    assertEquals(0, skipped.code(), skipped.out());
    assertTrue(skipped.out().contains("--maxIterations"), skipped.out());
    assertEquals(ArchiveStatus.FAILED, f.ledger().archives().rowsOfType("assessment").get(0).archivalStatus());
    Cli forced = cli("archive", f, "--forceArchival=true", "--batchIds=" + victim.batchId());
    assertEquals(0, forced.code(), forced.out());
    LedgerRow done = f.ledger().archives().rowsOfType("assessment").get(0);
    assertEquals(ArchiveStatus.SUCCESS, done.archivalStatus());
    assertEquals(4, done.iteration());
    assertConsistent(f, truth(f));
  }

  @Test
  void aLiveLeaseMakesASecondRunExitOrWaitAndAnExpiredOneIsTakenOver() throws Exception {
    AssessmentFixture f = fixture("lease", TestServers.newPostgresDatabase(), 200);
    new Ledger(new JdbcEndpoint(f.ledgerUrl(), null, null)).migrate();
    try (Connection c = DriverManager.getConnection(f.ledgerUrl());
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO archiver_lease VALUES ('table:assessment', 'run-other', 'host elsewhere, pid 42',"
          + " NOW(), NOW() + INTERVAL '1 hour')");
    }
    Cli busy = cli("archive", f);
    assertEquals(4, busy.code(), busy.out());
    assertTrue(busy.out().contains("run-other") && busy.out().contains("pid 42"), busy.out());
    assertTrue(f.ledger().archives().rowsOfType("assessment").isEmpty(), "nothing was done");
    Cli busyDelete = cli("delete", f);
    assertEquals(4, busyDelete.code(), busyDelete.out());

    // The holder finishes two seconds later; a run that waits gets the lease.
    Thread release = new Thread(() -> {
      try {
        Thread.sleep(2000);
        try (Connection c = DriverManager.getConnection(f.ledgerUrl()); Statement s = c.createStatement()) {
          s.execute("DELETE FROM archiver_lease WHERE holder = 'run-other'");
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    release.start();
    Cli waited = cli("archive", f, "--waitForLeaseSeconds=60");
    release.join();
    assertEquals(0, waited.code(), waited.out());
    assertTrue(waited.out().contains("waiting for the lease held by run-other"), waited.out());

    // A lease whose holder died (expired) is taken over.
    try (Connection c = DriverManager.getConnection(f.ledgerUrl()); Statement s = c.createStatement()) {
      s.execute("INSERT INTO archiver_lease VALUES ('table:assessment', 'run-dead', 'host gone, pid 7',"
          + " NOW() - INTERVAL '2 hour', NOW() - INTERVAL '1 hour')");
    }
    Cli takeover = cli("delete", f);
    assertEquals(0, takeover.code(), takeover.out());
    assertTrue(takeover.out().contains("took over the expired lease of run-dead"), takeover.out());
    try (Connection c = DriverManager.getConnection(f.ledgerUrl()); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM archiver_lease")) {
      rs.next();
      assertEquals(0, rs.getInt(1), "leases are released at the end");
    }
  }

  @Test
  void anArchiveKilledInTheMiddleIsFinishedByTheNextRunWithNothingLostOrDoubled() throws Exception {
    AssessmentFixture f = fixture("kill-archive", TestServers.newPostgresDatabase(), 3000);
    Map<String, Integer> truth = truth(f);
    new Ledger(new JdbcEndpoint(f.ledgerUrl(), null, null)).migrate();
    Path log = dir.resolve("kill-archive.log");
    Process p = spawn("archive", f, log, "--leaseSeconds=5");
    // Kill as soon as the first partition is being written.
    boolean writing = waitFor(f.ledgerUrl(), "SELECT COUNT(*) FROM archival_metadata", 1, Duration.ofSeconds(120), p);
    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    assertTrue(writing, "the run reached its writing phase before it was killed: " + Files.readString(log));
    List<LedgerRow> left = f.ledger().archives().rowsOfType("assessment");
    assertTrue(left.size() < truth.size() || left.stream().anyMatch(r -> r.pendingRunId() != null)
            || left.stream().anyMatch(r -> !r.archived()),
        "the kill landed before the run finished");

    Cli rerun = cli("archive", f, "--waitForLeaseSeconds=60");
    assertEquals(0, rerun.code(), rerun.out());
    assertConsistent(f, truth);
    Jobs jobs = new Jobs(new JdbcEndpoint(f.ledgerUrl(), null, null));
    List<Jobs.JobRow> all = jobs.recent("assessment", 10);
    assertEquals(2, all.size());
    assertEquals(JobState.COMPLETED, all.get(0).state());
    assertEquals(JobState.ABANDONED, all.get(1).state(), "the killed job is found dead");
  }

  @Test
  void aDeleteKilledInTheMiddleIsFinishedByTheNextRun() throws Exception {
    AssessmentFixture f = fixture("kill-delete", TestServers.newPostgresDatabase(), 600);
    archive(f);
    Set<String> archived = new TreeSet<>();
    for (LedgerRow r : f.ledger().archives().rowsOfType("assessment")) {
      for (Map<String, String> m : ArchiveFiles.read(Paths.get(r.blobUrl()))) {
        archived.add(m.get("user_id") + "|" + m.get("course_id") + "|" + m.get("batch_id") + "|" + m.get("content_id") + "|" + m.get("attempt_id"));
      }
    }
    Set<String> all = keys(f);
    Path log = dir.resolve("kill-delete.log");
    // The default 300 s lease: the rerun must not wait for it, the killed holder's process is gone.
    Process p = spawn("delete", f, log, "--maxDeletesPerSecond=40");
    long target = all.size() - 40;
    Instant deadline = Instant.now().plusSeconds(120);
    while (keys(f).size() > target && Instant.now().isBefore(deadline) && p.isAlive()) {
      Thread.sleep(100);
    }
    // A second run on the same table while the delete runs: refused, naming the holder.
    Cli concurrent = cli("archive", f);
    assertEquals(4, concurrent.code(), concurrent.out());
    assertTrue(concurrent.out().contains("holds the lease") && concurrent.out().contains("delete-"), concurrent.out());
    assertTrue(p.isAlive(), "the delete was still running during the concurrent attempt");
    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    int afterKill = keys(f).size();
    assertTrue(afterKill <= target && afterKill > all.size() - archived.size(),
        "killed in the middle (" + afterKill + " rows left): " + Files.readString(log));

    Cli rerun = cli("delete", f);
    assertEquals(0, rerun.code(), rerun.out());
    assertTrue(rerun.out().contains("its process is gone from this host"), rerun.out());
    Set<String> expected = new TreeSet<>(all);
    expected.removeAll(archived);
    assertEquals(expected, keys(f), "exactly the archived rows are gone; the current week's stay");
    for (LedgerRow r : f.ledger().archives().rowsOfType("assessment")) {
      assertEquals(DeletionStatus.SUCCESS, r.deletionStatus(), r.toString());
    }
  }

  static Set<String> keys(AssessmentFixture f) {
    Set<String> out = new TreeSet<>();
    for (Row r : session.execute("SELECT user_id, course_id, batch_id, content_id, attempt_id FROM " + f.table())) {
      out.add(r.getString(0) + "|" + r.getString(1) + "|" + r.getString(2) + "|" + r.getString(3) + "|" + r.getString(4));
    }
    return out;
  }

  /** Polls a count query until it reaches {@code atLeast}; false on timeout or if the process ended. */
  static boolean waitFor(String url, String sql, int atLeast, Duration timeout, Process p) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline) && p.isAlive()) {
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        if (rs.next() && rs.getInt(1) >= atLeast) {
          return true;
        }
      } catch (java.sql.SQLException e) {
        // the schema may not exist yet
      }
      Thread.sleep(20);
    }
    return false;
  }
}
