package org.beamarchiver.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.CassandraCluster;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.TableSnapshot;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology users run: a real cluster of three nodes in one data centre (127.0.0.1-3) with
 * replication factor 3 (and a fourth node in a second data centre for the multi-data-centre case).
 * Archive, verified delete and restore complete in one run with many rows in flight on several
 * nodes' driver threads; a consistency that would void the guard is refused before anything
 * changes.
 */
class ClusterIT {
  static final Instant AS_OF = AssessmentFixture.AS_OF;

  static CassandraCluster nodes;
  static Cluster cluster;
  static Session session;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    nodes = TestServers.cassandraCluster();
    cluster = nodes.newCluster();
    session = cluster.connect();
  }

  @AfterAll
  static void stop() {
    session.close();
    cluster.close();
  }

  /** A keyspace with the given replication, the assessment table, generated rows, and options for it. */
  static AssessmentFixture fixture(String name, String replication, int rows) throws Exception {
    Path key = dir.resolve("key");
    Files.writeString(key, "cluster-it signing key");
    return AssessmentFixture.builder(session, dir).keyspacePrefix(name).replication(replication)
        .rows(rows).batches(12).weeks(3).deadLetters(3).seed(31L).inFlight(128)
        .cassandra(nodes.options()).ledger(TestServers.newPostgresDatabase()).signingKeyFile(key)
        .options("--cassandraSplits=16", "--retryBackoffSeconds=1").build();
  }

  /** Partitions ("batch period") whose archive is SUCCESS and holds exactly the snapshot's rows of it. */
  static Set<String> archived(AssessmentFixture f, TableSnapshot original) throws Exception {
    Set<String> out = new TreeSet<>();
    var counts = original.partitionCounts(AS_OF);
    for (LedgerRow r : f.ledger().archives().rowsOfType("assessment")) {
      String p = r.batchId() + " " + r.period();
      if (r.archived() && r.rowCount() != null && r.rowCount().equals(counts.get(p))) {
        out.add(p);
      }
    }
    return out;
  }

  @Test
  void archiveDeleteAndRestoreCompleteInOneRunOnThreeReplicas() throws Exception {
    AssessmentFixture f = fixture("cluster_rf3", "{'class': 'NetworkTopologyStrategy', 'dc1': 3}", 6_000);
    String ks = f.keyspace();
    TableSnapshot original = TableSnapshot.read(session, ks);
    assertEquals(6_003, original.rows().size());

    String archive = Cli.expect(0, "archive", f.options());
    Set<String> archived = archived(f, original);
    assertEquals(original.partitionCounts(AS_OF).keySet(), archived, archive);
    refuseAConsistencyThatVoidsTheGuard(f, original);

    // Many rows in flight, answered on several nodes' driver threads: every partition in one run.
    String delete = Cli.expect(0, "delete", f.options(), "--deleteConcurrency=256");
    assertEquals(archived.size(), delete.lines().filter(l -> l.matches(".*\\bverified\\b.*\\bSUCCESS\\s*$")).count(), delete);
    TableSnapshot afterDelete = TableSnapshot.read(session, ks);
    TableSnapshot.Comparison c = original.compare(afterDelete, archived);
    assertTrue(c.clean(), c.toString());
    assertEquals(original.archivable(AS_OF), c.deleted(), c.toString());
    try (Connection db = DriverManager.getConnection(f.ledgerUrl());
        ResultSet rs =
            db.createStatement()
                .executeQuery(
                    "SELECT count(*), sum(deleted_rows) FROM archival_metadata WHERE deletion_status = 'SUCCESS'")) {
      rs.next();
      assertEquals(archived.size(), rs.getInt(1));
      assertEquals(original.archivable(AS_OF), rs.getLong(2));
    }

    Cli.expect(0, "restore", f.options());
    TableSnapshot restored = TableSnapshot.read(session, ks);
    assertEquals(original.rows(), restored.rows(), "the table back cell for cell");
  }

  /**
   * On the archived table, before its delete: a consistency that would void the guard is refused
   * before anything is read or recorded (no delete or restore job, no row touched).
   */
  static void refuseAConsistencyThatVoidsTheGuard(AssessmentFixture f, TableSnapshot archivedState) throws Exception {
    for (String weak : List.of("ONE", "LOCAL_ONE", "TWO")) {
      String out = Cli.expect(2, "delete", f.options(), "--cassandraConsistency=" + weak);
      assertTrue(out.contains("delete refuses --cassandraConsistency=" + weak), out);
      assertTrue(out.contains("{NetworkTopologyStrategy, dc1: 3}"), out);
      assertTrue(out.contains("2 of 3 in dc1") && out.contains("the weakest allowed level is LOCAL_QUORUM"), out);
    }
    String restore = Cli.expect(2, "restore", f.options(), "--cassandraConsistency=LOCAL_ONE");
    assertTrue(restore.contains("restore refuses --cassandraConsistency=LOCAL_ONE"), restore);
    String noLocal = Cli.expect(2, "delete", f.options("--cassandraHosts=" + CassandraCluster.address(4), "--cassandraLocalDc=dc2"));
    assertTrue(noLocal.contains("no replica in the local data centre --cassandraLocalDc=dc2"), noLocal);

    try (Connection db = DriverManager.getConnection(f.ledgerUrl());
        ResultSet rs = db.createStatement().executeQuery("SELECT count(*) FROM archiver_job WHERE kind <> 'archive'")) {
      rs.next();
      assertEquals(0, rs.getInt(1));
    }
    assertEquals(archivedState.rows(), TableSnapshot.read(session, f.keyspace()).rows());
  }

  @Test
  void severalDataCentres() throws Exception {
    AssessmentFixture f = fixture("cluster_2dc", "{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 1}", 600);
    String ks = f.keyspace();
    TableSnapshot original = TableSnapshot.read(session, ks);
    Cli.expect(0, "archive", f.options());
    // EACH_QUORUM: a quorum in every data centre for every read and write.
    String delete = Cli.expect(0, "delete", f.options(), "--cassandraConsistency=EACH_QUORUM");
    assertFalse(delete.contains("is replicated to dc1 and dc2"), delete);
    TableSnapshot.Comparison c = original.compare(TableSnapshot.read(session, ks), archived(f, original));
    assertTrue(c.clean() && c.deleted() == original.archivable(AS_OF), c.toString());
    // LOCAL_QUORUM works too, and says what it cannot see.
    String restore = Cli.expect(0, "restore", f.options());
    assertTrue(restore.contains("is replicated to dc1 and dc2") && restore.contains("--cassandraConsistency=EACH_QUORUM"), restore);
    assertEquals(original.rows(), TableSnapshot.read(session, ks).rows());
  }
}
