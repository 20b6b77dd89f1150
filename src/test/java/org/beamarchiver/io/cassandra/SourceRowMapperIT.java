package org.beamarchiver.io.cassandra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One {@link SourceRowMapper} decodes rows on many threads at once, as the guarded delete's and
 * the restore's callbacks do on the driver's I/O threads (one per connected node): rows of two
 * results with different metadata, interleaved, so that its decoders are rebuilt all the time.
 * Before the fix, a thread could read the decoder array another thread had just published and not
 * yet filled (the NullPointerException seen on a three-node cluster).
 */
class SourceRowMapperIT {
  private static Cluster cluster;
  private static Session session;
  private static String ks;

  @BeforeAll
  static void start() {
    cluster = TestServers.cluster();
    session = cluster.connect();
    ks = TestServers.newKeyspace("mapper");
    session.execute(
        "CREATE KEYSPACE " + ks + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    session.execute("CREATE TYPE " + ks + ".q (id text, score double, tags list<text>)");
    session.execute(
        "CREATE TABLE " + ks + ".t (id int PRIMARY KEY, at timestamp, name text,"
            + " qs list<frozen<q>>, m map<text, int>, n bigint)");
    session.execute(
        "INSERT INTO " + ks + ".t (id, at, name, qs, m, n) VALUES (1, '2021-01-04T10:00:00Z', 'é',"
            + " [{id: 'a', score: 1.5, tags: ['x', 'y']}, {id: 'b'}], {'k': 1, 'j': 2}, 42)");
  }

  @AfterAll
  static void stop() {
    session.close();
    cluster.close();
  }

  @Test
  void decodesTheSameRowsOnManyThreadsWhileItsDecodersChange() throws Exception {
    String columns = "id, at, name, qs, m, n";
    RowLayout layout =
        new RowLayout(
            List.of("id", "at", "name", "qs", "m", "n"),
            List.of("int", "timestamp", "text", "list<frozen<q>>", "map<text, int>", "bigint"),
            new int[] {0}, 2, 1, 2);
    // Two prepared statements: each result carries its own metadata object.
    Row a = session.execute(session.prepare("SELECT " + columns + " FROM " + ks + ".t WHERE id = ?").bind(1)).one();
    Row b = session.execute(session.prepare("SELECT " + columns + " FROM " + ks + ".t WHERE id = 1").bind()).one();
    assertNotSame(a.getColumnDefinitions(), b.getColumnDefinitions());
    SourceRowMapper mapper = new SourceRowMapper(session, layout, 0);
    String[] expected = mapper.toSourceRow(a).values();
    assertEquals("[{\"id\":\"a\",\"score\":1.5,\"tags\":[\"x\",\"y\"]},{\"id\":\"b\",\"score\":null,\"tags\":[]}]", expected[3]);

    int threads = 8;
    int perThread = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    SourceRow r = mapper.toSourceRow((i + offset) % 2 == 0 ? a : b);
                    assertArrayEquals(expected, r.values());
                  }
                  return perThread;
                }));
      }
      int decoded = 0;
      for (Future<Integer> f : done) {
        decoded += f.get(); // rethrows a decoding failure of any thread
      }
      assertEquals(threads * perThread, decoded);
    } finally {
      pool.shutdownNow();
    }
  }
}
