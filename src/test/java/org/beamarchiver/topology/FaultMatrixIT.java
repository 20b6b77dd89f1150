package org.beamarchiver.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.CassandraCluster;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.FaultProxy;
import org.beamarchiver.support.TableSnapshot;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The fault matrix: archive, verified delete and restore, each run as its own process from the
 * bundled jar on the three-node cluster (replication factor 3, LOCAL_QUORUM), the ledger in
 * PostgreSQL and the archive root in S3 (S3Proxy), while infrastructure fails under them: a node
 * killed, two nodes killed (no quorum), a node frozen for 20 s, the ledger
 * database gone for 30 s, the object store gone for 30 s (S3Proxy, and Azurite with the archive root
 * in Azure Blob Storage), the local temporary folder full. The three commands of a fault run at
 * once, each on its own table, so that the fault hits all three; the ledger and the stores are
 * reached through {@link FaultProxy}s, so that the faults of the servers beside Cassandra hit only
 * their own tables and run in one episode (with the node killed, which every table of that episode
 * rides out).
 *
 * <p>Every cell must end completed or cleanly failed (a non-zero exit that says what to rerun), and
 * then: no row lost (every original row is in the table as it was, or gone while a verified archive
 * holds its partition), none mutilated, a rerun without the fault converges (exit 0: archived,
 * deleted, restored), and the ledger matches storage ({@code verify}, exit 0). A table's rows move
 * down the chain: archived under one fault, deleted under the next, restored under the one after.
 * The matrix is written to {@code target/fault-matrix.md}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultMatrixIT {
  static final Instant AS_OF = AssessmentFixture.AS_OF;
  static final Path JAR = Paths.get("target/beam-archiver.jar").toAbsolutePath();
  static final String BUCKET = "fault-matrix";
  static final String KEY = "fault-matrix signing key";
  static Path KEY_FILE;
  static final int ROWS = 600;
  /** The node the single-node faults hit (not the contact point everything starts from). */
  static final int VICTIM = 3;

  static CassandraCluster nodes;
  static Cluster cluster;
  static Session session;
  static S3Client s3;
  static URI s3Endpoint;
  static URI azurite;
  static final List<FaultProxy> proxies = new ArrayList<>();
  static final List<Path> mounts = new ArrayList<>();
  @TempDir static Path dir;

  /** Per store, tables archived and waiting for their delete; deleted and waiting for their restore. */
  static final Map<Store, Deque<Table>> toDelete = new java.util.EnumMap<>(Store.class);
  static final Map<Store, Deque<Table>> toRestore = new java.util.EnumMap<>(Store.class);
  static final List<String> matrix = new ArrayList<>();

  /** Where a table's archive root is. */
  enum Store {
    S3,
    AZURE;

    String root(String keyspace) {
      return this == S3 ? "s3://" + BUCKET + "/" + keyspace : "azfs://" + TestServers.AZURE_ACCOUNT + "/" + BUCKET + "/" + keyspace;
    }

    URI server() {
      return this == S3 ? s3Endpoint : azurite;
    }

    /** The options that reach the store through {@code proxy}. */
    List<String> options(FaultProxy proxy) {
      if (this == AZURE) {
        return List.of(
            "--azureConnectionString="
                + TestServers.azureConnectionString("http://127.0.0.1:" + proxy.port() + "/" + TestServers.AZURE_ACCOUNT));
      }
      return TestServers.s3Options("http://127.0.0.1:" + proxy.port());
    }
  }

  /**
   * One table of a chain: its keyspace and rows with the options of its commands, its original
   * rows, its ledger database, its store; and what its commands reach it through, so that a fault
   * hits only the tables it is meant for: a proxy in front of PostgreSQL, one in front of the object
   * store, a small file system of its own as the commands' local temporary folder.
   */
  record Table(
      AssessmentFixture data, String database, TableSnapshot original, Store store, FaultProxy ledger,
      FaultProxy objects, Path tmp) {
    String keyspace() {
      return data.keyspace();
    }
  }

  /**
   * A fault: what it does to the tables of its episode (or the cluster), how it is undone, and what
   * a run that it ends must say about it ({@code failureSays}, or null).
   */
  record Fault(
      String name, List<String> options, Consumer<List<Table>> inject, Consumer<List<Table>> heal, String failureSays) {
    Fault(String name, List<String> options, Consumer<List<Table>> inject, Consumer<List<Table>> heal) {
      this(name, options, inject, heal, null);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    KEY_FILE = Files.writeString(dir.resolve("signing.key"), KEY);
    nodes = TestServers.cassandraCluster();
    cluster = nodes.newCluster();
    session = cluster.connect();
    s3Endpoint = URI.create(TestServers.s3Endpoint());
    s3 = TestServers.s3Client(s3Endpoint);
    s3.createBucket(b -> b.bucket(BUCKET));
    azurite = URI.create(TestServers.azuriteEndpoint());
    new com.azure.storage.blob.BlobServiceClientBuilder()
        .connectionString(TestServers.azureConnectionString(azurite.toString()))
        .buildClient()
        .createBlobContainer(BUCKET);
    // Each chain starts with tables archived (for the first deletes) and archived and deleted (for
    // the first restores): four of each on S3 (the last episode runs four S3 cells at once), one on
    // Azure. Each table's archive starts as soon as the table is there, while the next ones are
    // created (schema changes on the cluster are mostly waits), at most AT_ONCE at a time.
    long started = System.nanoTime();
    List<Table> archived = new ArrayList<>();
    List<Table> deleted = new ArrayList<>();
    Deque<Run> running = new ArrayDeque<>();
    List<Run> archives = new ArrayList<>();
    for (Store st : Store.values()) {
      for (int i = 0; i < 2 * (st == Store.S3 ? 4 : 1); i++) {
        Table t = table("fm_pre", st);
        (i % 2 == 0 ? archived : deleted).add(t);
        if (running.size() == AT_ONCE) {
          running.pollFirst().await(Duration.ofMinutes(5));
        }
        Run r = command("archive", t);
        r.start();
        running.add(r);
        archives.add(r);
      }
    }
    for (Run r : archives) {
      r.await(Duration.ofMinutes(5));
      assertEquals(0, r.code(), r.name() + " " + r.table().keyspace() + ":\n" + r.tail());
    }
    deleted.forEach(FaultMatrixIT::tombstoneArchivedRows);
    System.out.printf("fault matrix set-up: %d tables archived in %d s%n", archives.size(),
        Duration.ofNanos(System.nanoTime() - started).toSeconds());
    archived.forEach(t -> toDelete.computeIfAbsent(t.store(), k -> new ArrayDeque<>()).add(t));
    deleted.forEach(t -> toRestore.computeIfAbsent(t.store(), k -> new ArrayDeque<>()).add(t));
  }

  @AfterAll
  static void stop() throws Exception {
    Path out = Paths.get("target/fault-matrix.md");
    List<String> lines = new ArrayList<>();
    lines.add("| fault | command | first run | rows lost | mutilated | rerun |");
    lines.add("|---|---|---|---:|---:|---|");
    lines.addAll(matrix);
    Files.write(out, lines);
    System.out.println(String.join("\n", lines));
    proxies.forEach(FaultProxy::close);
    if (s3 != null) {
      s3.close();
    }
    if (session != null) {
      session.close();
      cluster.close();
    }
    for (Path m : mounts) {
      run(List.of("umount", "-l", m.toString()), Duration.ofSeconds(30), -1);
    }
  }

  // --- the faults --------------------------------------------------------------------------------

  @Test
  @Order(1)
  void twoOfThreeNodesKilled() throws Exception {
    // No quorum: nothing may be deleted or written unguarded; the runs give up after 10 s.
    episodes(
        Store.S3,
        new Fault(
            "two of three nodes killed",
            List.of("--maxOutageSeconds=10"),
            t -> {
              nodes.kill(2);
              nodes.kill(VICTIM);
            },
            t -> nodes.restart(2, VICTIM),
            "longer than --maxOutageSeconds"));
  }

  @Test
  @Order(2)
  void aNodeFrozenFor20Seconds() throws Exception {
    episodes(
        Store.S3,
        new Fault(
            "a node frozen for 20 s (SIGSTOP)",
            List.of(),
            t -> {
              nodes.freeze(VICTIM);
              later(Duration.ofSeconds(20), () -> nodes.thaw(VICTIM));
            },
            t -> {}));
  }

  /**
   * A node killed, and the faults of the servers beside Cassandra, at once, each on its own three
   * tables: the ledger database gone for 30 s, the object store gone for 30 s (S3, and Azure Blob
   * Storage), the local temporary folder full. Every table of the episode rides out the lost node.
   */
  @Test
  @Order(3)
  void aNodeKilledAndTheLedgerTheObjectStoresAndTheLocalDiskFail() throws Exception {
    Fault kill =
        new Fault("one of three nodes killed (SIGKILL)", List.of(), t -> nodes.kill(VICTIM), t -> nodes.restart(VICTIM));
    Fault ledger =
        new Fault(
            "the ledger database down for 30 s",
            List.of(),
            ts -> outage(ts.stream().map(Table::ledger).toList(), Duration.ofSeconds(30)),
            ts -> ts.forEach(t -> t.ledger().up()));
    Fault store =
        new Fault(
            "the object store down for 30 s (S3)",
            List.of(),
            ts -> outage(ts.stream().map(Table::objects).toList(), Duration.ofSeconds(30)),
            ts -> ts.forEach(t -> t.objects().up()));
    Fault azure =
        new Fault(
            "the object store down for 30 s (Azure Blob Storage)",
            List.of(),
            ts -> outage(ts.stream().map(Table::objects).toList(), Duration.ofSeconds(30)),
            ts -> ts.forEach(t -> t.objects().up()));
    Fault disk =
        new Fault(
            "the local spill folder out of space",
            List.of(),
            ts -> ts.forEach(t -> fill(t.tmp().resolve("filler"))),
            ts -> ts.forEach(t -> {
              try {
                Files.deleteIfExists(t.tmp().resolve("filler"));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            }),
            "(java.io.tmpdir) has 0 MB free");
    episodes(
        Map.of(kill, Store.S3, ledger, Store.S3, store, Store.S3, azure, Store.AZURE, disk, Store.S3),
        List.of(kill, ledger, store, azure, disk));
  }

  // --- episodes: three commands under one fault, several faults at once -----------------------

  static void episodes(Store st, Fault f) throws Exception {
    episodes(Map.of(f, st), List.of(f));
  }

  /**
   * For each fault: archives a new table, deletes the last archived one and restores the last
   * deleted one, all at once (every fault's three at once); injects the faults once every run is at
   * work; heals them when the runs have ended; checks what each left; reruns those that did not
   * complete, without the fault; checks that they converged and that the ledger matches storage.
   */
  static void episodes(Map<Fault, Store> stores, List<Fault> faults) throws Exception {
    Map<Fault, List<Table>> tables = new LinkedHashMap<>();
    Map<Fault, List<Run>> runs = new LinkedHashMap<>();
    List<Run> all = new ArrayList<>();
    for (Fault f : faults) {
      Store st = stores.get(f);
      Table archive = table("fm_new", st);
      Table delete = toDelete.get(st).pollFirst();
      Table restore = toRestore.get(st).pollFirst();
      if (delete == null || restore == null) {
        // An earlier episode failed and left its chain short: start it again without a fault.
        delete = delete != null ? delete : table("fm_again", st);
        restore = restore != null ? restore : table("fm_again", st);
        runAll(List.of(command("archive", delete), command("archive", restore)));
        tombstoneArchivedRows(restore);
      }
      tables.put(f, List.of(archive, delete, restore));
      List<Run> r =
          List.of(
              command("archive", archive, f.options(), "--maxReadsPerSecond=60"),
              command("delete", delete, f.options(), "--maxDeletesPerSecond=40"),
              command("restore", restore, f.options(), "--maxWritesPerSecond=40"));
      runs.put(f, r);
      all.addAll(r);
    }
    for (Run r : all) {
      r.start();
    }
    List<Fault> injected = new ArrayList<>();
    try {
      awaitWorking(all);
      Thread.sleep(2000);
      for (Fault f : faults) {
        injected.add(f);
        f.inject().accept(tables.get(f));
      }
      for (Run r : all) {
        r.await(Duration.ofMinutes(6));
      }
    } finally {
      for (Run r : all) {
        r.kill();
      }
      for (Fault f : injected) {
        f.heal().accept(tables.get(f));
      }
      nodes.heal();
    }

    // What the runs left, before anything else touches it; then a rerun of those that did not
    // complete, without the fault, must converge, and the ledger must match storage.
    List<String> problems = new ArrayList<>();
    Map<Fault, Check[]> firsts = new LinkedHashMap<>();
    List<Run> reruns = new ArrayList<>();
    for (Fault f : faults) {
      List<Table> t = tables.get(f);
      firsts.put(f, new Check[] {checkArchive(t.get(0)), checkDelete(t.get(1)), checkRestore(t.get(2))});
      for (Run run : runs.get(f)) {
        if (run.code() != 0 && run.code() != 1 && run.code() != 3) {
          problems.add(run.name() + " under " + f.name() + ": exit " + run.code() + "\n" + run.tail());
        } else if (run.code() != 0 && !run.output().contains("rerun")) {
          problems.add(run.name() + " under " + f.name() + " does not say what to rerun:\n" + run.tail());
        } else if (run.code() != 0 && f.failureSays() != null && !run.output().contains(f.failureSays())) {
          problems.add(run.name() + " under " + f.name() + " does not say \"" + f.failureSays() + "\":\n" + run.tail());
        }
        if (run.code() != 0) {
          reruns.add(run.again());
        }
      }
    }
    // The reruns of what did not complete, without the faults, at once.
    for (Run again : reruns) {
      again.start();
    }
    for (Run again : reruns) {
      again.await(Duration.ofMinutes(5));
      if (again.code() != 0) {
        problems.add("the rerun of " + again.name() + " " + again.table().keyspace() + " exited " + again.code() + ":\n" + again.tail());
      }
    }
    for (Fault f : faults) {
      List<Table> t = tables.get(f);
      List<Run> r = runs.get(f);
      Check[] first = firsts.get(f);
      for (Table v : t.subList(0, 2)) {
        Cli verify = Cli.run(command("verify", v).args());
        if (verify.code() != 0) {
          problems.add("verify of " + v.keyspace() + " after " + f.name() + ": exit " + verify.code() + "\n" + verify.out());
        }
      }
      Check[] last = {checkArchive(t.get(0)), checkDelete(t.get(1)), checkRestore(t.get(2))};
      for (int i = 0; i < 3; i++) {
        Run run = r.get(i);
        long lost = first[i].lost + last[i].lost;
        long mutilated = first[i].mutilated + last[i].mutilated;
        matrix.add(
            "| " + f.name() + " | " + run.name() + " | " + run.outcome() + " | " + lost + " | " + mutilated + " | "
                + (run.code() == 0 ? "not needed" : "converged") + " |");
        if (lost + mutilated > 0 || !last[i].converged) {
          problems.add(run.name() + " under " + f.name() + ": after the run " + first[i] + "; after the rerun " + last[i]
              + "\n" + run.tail());
        }
      }
      toDelete.get(stores.get(f)).add(t.get(0));
      toRestore.get(stores.get(f)).add(t.get(1));
    }
    assertTrue(problems.isEmpty(), String.join("\n\n", problems));
  }

  /** Takes servers away for {@code d}, then gives them back (in the background). */
  static void outage(List<FaultProxy> servers, Duration d) {
    servers.forEach(FaultProxy::down);
    later(d, () -> servers.forEach(FaultProxy::up));
  }

  /** What a cell left: rows lost and mutilated, and whether the command's work is complete. */
  record Check(long lost, long mutilated, boolean converged, String detail) {
    @Override
    public String toString() {
      return detail;
    }
  }

  /** Archive: SUCCESS only for partitions whose file holds exactly their rows; the table untouched. */
  static Check checkArchive(Table t) throws Exception {
    TableSnapshot.Comparison c = t.original().compare(TableSnapshot.read(session, t.keyspace()), Set.of());
    Map<String, Long> expected = t.original().partitionCounts(AS_OF);
    long wrong = 0;
    Set<String> done = new TreeSet<>();
    for (Map.Entry<String, Long> e : ledgerRows(t, "SELECT batchid || ' ' || period, row_count FROM archival_metadata WHERE archival_status = 'SUCCESS'").entrySet()) {
      if (!e.getValue().equals(expected.get(e.getKey()))) {
        wrong++;
      }
      done.add(e.getKey());
    }
    return new Check(
        c.lost().size() + wrong, c.mutilated().size(), done.equals(expected.keySet()) && wrong == 0,
        "table: " + c + "; archived " + done.size() + " of " + expected.size() + " partitions, " + wrong + " with other counts");
  }

  /** Delete: every original row as it was, or gone while a verified archive holds it. */
  static Check checkDelete(Table t) throws Exception {
    TableSnapshot.Comparison c = t.original().compare(TableSnapshot.read(session, t.keyspace()), archived(t));
    boolean converged =
        c.clean() && c.deleted() == t.original().archivable(AS_OF)
            && ledgerRows(t, "SELECT uuid, 1 FROM archival_metadata WHERE deletion_status IS DISTINCT FROM 'SUCCESS'").isEmpty();
    return new Check(c.lost().size() + c.extra().size(), c.mutilated().size(), converged, c.toString());
  }

  /** Restore: no row other than the original ones, none changed; complete: all of them back. */
  static Check checkRestore(Table t) throws Exception {
    TableSnapshot now = TableSnapshot.read(session, t.keyspace());
    TableSnapshot.Comparison c = t.original().compare(now, archived(t));
    return new Check(c.lost().size() + c.extra().size(), c.mutilated().size(), now.rows().equals(t.original().rows()), c.toString());
  }

  /** Partitions whose SUCCESS archive holds exactly the original rows of it. */
  static Set<String> archived(Table t) throws SQLException {
    Map<String, Long> expected = t.original().partitionCounts(AS_OF);
    Set<String> out = new TreeSet<>();
    ledgerRows(t, "SELECT batchid || ' ' || period, row_count FROM archival_metadata WHERE archival_status = 'SUCCESS'")
        .forEach((p, n) -> {
          if (n.equals(expected.get(p))) {
            out.add(p);
          }
        });
    return out;
  }

  /** A two-column query of the table's ledger, straight to PostgreSQL (not through the proxy). */
  static Map<String, Long> ledgerRows(Table t, String sql) throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(direct(t));
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  static String direct(Table t) {
    return "jdbc:postgresql://127.0.0.1:" + TestServers.postgresPort() + "/" + t.database() + "?user=postgres";
  }

  /** Waits until each run's job is at work (ARCHIVING, DELETING, RESTORING). */
  static void awaitWorking(List<Run> runs) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
    for (Run r : runs) {
      String state = r.name().toUpperCase().replace("ARCHIVE", "ARCHIVING").replace("DELETE", "DELETING").replace("RESTORE", "RESTORING");
      while (true) {
        if (!r.alive()) {
          throw new AssertionError(r.name() + " ended before the fault: exit " + r.code() + "\n" + r.tail());
        }
        try {
          if (!ledgerRows(r.table(), "SELECT job_id, 1 FROM archiver_job WHERE kind = '" + r.name() + "' AND state = '" + state + "'").isEmpty()) {
            break;
          }
        } catch (SQLException notYet) {
          // a new ledger: the run has not created its tables yet
        }
        assertTrue(Instant.now().isBefore(deadline), r.name() + " never reached " + state + "\n" + r.tail());
        Thread.sleep(250);
      }
    }
  }

  // --- tables and commands -------------------------------------------------------------------

  /**
   * A new table on the cluster (replication factor 3) whose commands reach the cluster directly and
   * the ledger and the store through proxies of its own.
   */
  static Table table(String name, Store st) throws Exception {
    String ks = TestServers.newKeyspace(name);
    String url = TestServers.newPostgresDatabase();
    String database = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
    FaultProxy ledger = new FaultProxy("127.0.0.1", TestServers.postgresPort());
    FaultProxy objects = new FaultProxy("127.0.0.1", st.server().getPort());
    proxies.add(ledger);
    proxies.add(objects);
    AssessmentFixture data =
        AssessmentFixture.builder(session, dir).keyspace(ks).replication("{'class': 'NetworkTopologyStrategy', 'dc1': 3}")
            .rows(ROWS).batches(3).weeks(3).deadLetters(2).seed(ks.hashCode())
            .cassandra(nodes.options())
            .ledger("jdbc:postgresql://127.0.0.1:" + ledger.port() + "/" + database + "?user=postgres")
            .root(st.root(ks)).signingKeyFile(KEY_FILE)
            .options("--cassandraSplits=8", "--cassandraReadTimeoutMillis=15000", "--retryBackoffSeconds=1", "--leaseSeconds=60")
            .options(st.options(objects))
            .build();
    Path tmp = Files.createDirectories(dir.resolve("tmp-" + ks));
    run(List.of("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", tmp.toString()), Duration.ofSeconds(30), 0);
    mounts.add(tmp);
    return new Table(data, database, data.snapshot(session), st, ledger, objects, tmp);
  }

  /** The options of the fixtures' that verify does not take: it reads the ledger and the store only. */
  static final String[] NOT_FOR_VERIFY = {
    "--cassandraHosts", "--cassandraPort", "--cassandraLocalDc", "--cassandraSplits", "--cassandraReadTimeoutMillis",
    "--retryBackoffSeconds", "--leaseSeconds"
  };

  static Run command(String name, Table t, List<String> extra, String... more) {
    List<String> args = (name.equals("verify") ? t.data().without(NOT_FOR_VERIFY) : t.data()).options();
    args.add(0, name);
    args.addAll(extra);
    args.addAll(List.of(more));
    return new Run(name, t, args);
  }

  static Run command(String name, Table t) {
    return command(name, t, List.of());
  }

  /**
   * Set-up of a table for a restore: what the verified delete leaves, without a delete run (one
   * process fewer on two cores): each archived row (complete weeks) gets the tombstone the delete
   * writes, {@code USING TIMESTAMP} its newest cell write time, so that a restore (which writes one
   * microsecond above it) brings it back. The delete itself is under test in the other cells.
   */
  static void tombstoneArchivedRows(Table t) {
    String current = org.beamarchiver.model.IsoWeek.of(AS_OF).toString();
    String table = t.keyspace() + ".assessment_aggregator";
    String key = " WHERE user_id = ? AND course_id = ? AND batch_id = ? AND content_id = ? AND attempt_id = ?";
    com.datastax.driver.core.PreparedStatement delete =
        session.prepare("DELETE FROM " + table + " USING TIMESTAMP ?" + key);
    com.datastax.driver.core.SimpleStatement all =
        new com.datastax.driver.core.SimpleStatement(
            "SELECT user_id, course_id, batch_id, content_id, attempt_id, updated_on, writetime(created_on),"
                + " writetime(grand_total), writetime(last_attempted_on), maxwritetime(question),"
                + " writetime(total_max_score), writetime(total_score), writetime(updated_on) FROM " + table);
    all.setConsistencyLevel(com.datastax.driver.core.ConsistencyLevel.ALL);
    for (com.datastax.driver.core.Row r : session.execute(all)) {
      java.util.Date updated = r.getTimestamp(5);
      if (updated == null || org.beamarchiver.model.IsoWeek.of(updated.toInstant()).toString().compareTo(current) >= 0) {
        continue;
      }
      long w = Long.MIN_VALUE;
      for (int i = 6; i < 13; i++) {
        if (!r.isNull(i)) {
          w = Math.max(w, r.getLong(i));
        }
      }
      session.execute(
          delete.bind(w, r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4))
              .setConsistencyLevel(com.datastax.driver.core.ConsistencyLevel.LOCAL_QUORUM));
    }
  }

  /** Runs commands (set-up), at most {@link #AT_ONCE} at a time, and expects each to exit 0. */
  static void runAll(List<Run> runs) throws Exception {
    for (int from = 0; from < runs.size(); from += AT_ONCE) {
      List<Run> wave = runs.subList(from, Math.min(runs.size(), from + AT_ONCE));
      for (Run r : wave) {
        r.start();
      }
      for (Run r : wave) {
        r.await(Duration.ofMinutes(5));
        assertEquals(0, r.code(), r.name() + " " + r.table().keyspace() + ":\n" + r.tail());
      }
    }
  }

  /**
   * Set-up runs at once: the ten set-up archives, each started once its table is created (run in
   * this JVM one after the other instead, they took 219 s).
   */
  static final int AT_ONCE = 5;


  /** One command as a process of the bundled jar; its output in a file. */
  static final class Run {
    private final String name;
    private final Table table;
    private final List<String> args;
    private final Path log;
    private Process process;

    Run(String name, Table table, List<String> args) {
      this.name = name;
      this.table = table;
      this.args = args;
      this.log = dir.resolve(table.keyspace() + "-" + name + "-" + System.nanoTime() + ".log");
    }

    String name() {
      return name;
    }

    Table table() {
      return table;
    }

    /** The command line, the command first (for the in-process CLI). */
    List<String> args() {
      return args;
    }

    /** The same command again, as a new process, without the throttles that kept it in flight. */
    Run again() {
      return new Run(
          name, table, args.stream().filter(a -> !a.matches("--max(Reads|Deletes|Writes)PerSecond=.*")).toList());
    }

    void start() throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx512m");
      // Short-lived processes on two cores: the quick compiler only, a small collector.
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.add("-XX:+UseSerialGC");
      cmd.add("-Djava.io.tmpdir=" + Files.createDirectories(table.tmp().resolve(name)));
      cmd.add("-jar");
      cmd.add(JAR.toString());
      cmd.addAll(args);
      process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    boolean alive() {
      return process.isAlive();
    }

    void await(Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError(name + " did not end within " + timeout + ":\n" + tail());
      }
    }

    void kill() throws InterruptedException {
      if (process != null && process.isAlive()) {
        process.destroyForcibly().waitFor();
      }
    }

    int code() {
      return process.exitValue();
    }

    String output() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        return "(no output: " + e + ")";
      }
    }

    String tail() {
      List<String> lines = output().lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** The first run's outcome for the matrix: completed, or how it failed. */
    String outcome() {
      if (code() == 0) {
        return "completed (exit 0)";
      }
      String error =
          output().lines().filter(l -> l.startsWith("error: ")).findFirst().orElse(code() == 3 ? "partitions FAILED" : "");
      error = error.replace("|", "/");
      return "failed cleanly (exit " + code() + "): " + (error.length() > 160 ? error.substring(0, 160) + "..." : error);
    }
  }

  // --- helpers -----------------------------------------------------------------------------------

  /** Runs {@code action} after {@code delay} in the background. */
  static void later(Duration delay, Runnable action) {
    Thread t =
        new Thread(
            () -> {
              try {
                Thread.sleep(delay.toMillis());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              action.run();
            },
            "fault-matrix-later");
    t.setDaemon(true);
    t.start();
  }

  /** Fills the file system holding {@code file} to the last byte. */
  static void fill(Path file) {
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      // no space left: as intended
    }
  }

  static void run(List<String> cmd, Duration timeout, int expected) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(cmd + " did not end");
      }
      if (expected >= 0 && p.exitValue() != expected) {
        throw new IllegalStateException(cmd + " exited " + p.exitValue() + ": " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
