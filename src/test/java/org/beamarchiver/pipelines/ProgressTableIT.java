package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.BatchStatement;
import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ColumnDefinitions;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.beamarchiver.io.cassandra.CqlText;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.TestServers;
import org.beamarchiver.support.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped progress table spec ({@code pipelines/progress.yaml}) on real Cassandra: the same
 * pipelines archive, verify, delete and restore {@code user_content_consumption}, which shares no
 * column name with the assessment table, and the restored table equals the original.
 */
class ProgressTableIT {
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

  static Map<String, List<String>> table(String ks) {
    Map<String, List<String>> out = new TreeMap<>();
    for (Row r : session.execute("SELECT * FROM " + ks + ".user_content_consumption")) {
      ColumnDefinitions d = r.getColumnDefinitions();
      List<String> cells = new ArrayList<>();
      for (int i = 0; i < d.size(); i++) {
        cells.add(d.getName(i) + "=" + (r.isNull(i) ? "null" : CqlText.of(r.getObject(i))));
      }
      out.put(r.getString("userid") + "|" + r.getString("courseid") + "|" + r.getString("batchid") + "|" + r.getString("contentid"), cells);
    }
    return out;
  }

  @Test
  void theProgressTableIsArchivedVerifiedDeletedAndRestored() throws Exception {
    String ks = TestServers.newKeyspace("progress_it");
    for (String stmt :
        Files.readString(Paths.get("src/main/resources/sample/progress.cql")).replace("sunbird_courses", ks).split(";")) {
      if (!stmt.isBlank()) {
        session.execute(stmt);
      }
    }
    PreparedStatement insert =
        session.prepare(
            "INSERT INTO " + ks + ".user_content_consumption (userid, courseid, batchid, contentid, completedcount,"
                + " progress, status, viewcount, lastaccesstime, last_access_time, last_updated_time)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    Random random = new Random(21);
    int rows = 0;
    for (int u = 0; u < 60; u++) {
      BatchStatement batch = new BatchStatement(BatchStatement.Type.UNLOGGED);
      for (int c = 0; c < 8; c++) {
        // 3 weeks before AS_OF, the last one (2021-W02) not yet ended; a few rows with no time.
        Instant t = AS_OF.minus(Duration.ofMinutes(random.nextInt(60 * 24 * 20)));
        Date updated = random.nextInt(50) == 0 ? null : Date.from(t);
        batch.add(
            insert.bind(
                "u" + u, "course-" + (u % 3), "b/" + (c % 4) + " é", "content-" + c, random.nextInt(3), random.nextInt(101),
                random.nextInt(3), random.nextInt(20), t.toString(), Date.from(t.minusSeconds(60)), updated));
        rows++;
      }
      session.execute(batch);
    }
    // Not an AssessmentFixture: another table, its own schema and rows; only the spec is rewritten the same way.
    Path spec = AssessmentFixture.writeSpec(Paths.get("pipelines/progress.yaml"), ks, dir.resolve("progress.yaml"), "");
    Path key = dir.resolve("key");
    Files.writeString(key, "progress-table-it signing key");
    List<String> common =
        List.of(
            "--tableSpec=" + spec, "--cassandraPort=" + TestServers.cassandraPort(), "--archiveRoot=" + dir.resolve("archive"),
            "--ledgerUrl=" + TestServers.newH2Ledger(), "--signingKeyFile=" + key, "--asOf=" + AS_OF, "--period=ALL");
    Map<String, List<String>> original = table(ks);
    assertEquals(rows, original.size());

    String archive = run("archive", common);
    assertTrue(archive.matches("(?s).*[1-9][0-9]* dead letters.*"), "rows with no time go to dead letters: " + archive);
    assertTrue(archive.matches("(?s).*partitions: \\d+ written, 0 failed.*"), archive);
    String verify = run("verify", common);
    assertTrue(verify.contains("every file verified"), verify);
    run("delete", common);
    Map<String, List<String>> afterDelete = table(ks);
    assertTrue(afterDelete.size() < original.size() && !afterDelete.isEmpty(), "archived weeks deleted, the current week kept");
    String restore = run("restore", common);
    assertTrue(restore.contains("0 FAILED"), restore);
    assertEquals(original, table(ks));
    String status = run("status", List.of(common.get(0), common.get(3), "--period=ALL"));
    assertTrue(status.contains("userid=") && status.contains("progress="), status);
  }

  static String run(String command, List<String> args) {
    return Cli.expect(0, command, args);
  }
}
