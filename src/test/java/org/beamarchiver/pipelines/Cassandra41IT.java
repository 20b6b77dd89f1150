package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beamarchiver.io.cassandra.CassandraConnection;
import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.ledger.ArchiveStatus;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.DeletionReport;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.options.DeleteOptions;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.support.ArchiveFiles;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archive → verify → delete → restore on Cassandra 4.1, through the CLI. On 4.x a non-frozen
 * collection has no write time, so the archived write time W covers the other regular cells only
 * and the delete's tombstone at W cannot reach collection cells written later: such rows must
 * survive whole, never with a mutilated list, and a restore must not undo a change made to a
 * collection after the archive.
 */
class Cassandra41IT {
  static final Instant AS_OF = AssessmentFixture.AS_OF;
  /** Rows updated before this (the week of AS_OF) are archived with --period=ALL. */
  static final Instant CURRENT_WEEK = IsoWeek.of(AS_OF).start();

  static final String KEY = "user_id = ? AND course_id = ? AND batch_id = ? AND content_id = ? AND attempt_id = ?";
  static final String REGULAR = "created_on, grand_total, last_attempted_on, total_max_score, total_score, updated_on";

  static Cluster cluster;
  static Session session;
  @TempDir static Path dir;
  static Path keyFile;

  @BeforeAll
  static void connect() throws Exception {
    cluster = TestServers.cluster41();
    session = cluster.connect();
    assertEquals(4, cluster.getMetadata().getAllHosts().iterator().next().getCassandraVersion().getMajor());
    keyFile = dir.resolve("signing.key");
    Files.writeString(keyFile, "cassandra-4.1 it key, long enough\n");
  }

  @AfterAll
  static void close() {
    session.close();
    cluster.close();
  }

  /** 3 batches over 2020-W53, 2021-W01 and the current 2021-W02, on the 4.1 node. */
  static AssessmentFixture fixture(String name, int rows) throws Exception {
    return AssessmentFixture.builder(session, dir).name(name).keyspacePrefix("c41_it")
        .rows(rows).batches(3).weeks(3).deadLetters(0).seed(41L)
        .cassandra(List.of("--cassandraPort=" + TestServers.cassandra41Port())).signingKeyFile(keyFile).build();
  }

  static String cli(AssessmentFixture f, String command, String... extra) {
    return Cli.expect(0, command, f.options(extra));
  }

  /** Every row, cell for cell in canonical text, by primary key ("user|course|batch|content|attempt"). */
  static Map<String, List<String>> table(AssessmentFixture f) {
    return f.cells(session);
  }

  static Object[] key(String k) {
    return k.split("\\|");
  }

  /** The write times of a row's regular non-collection cells. */
  static List<Long> writeTimes(AssessmentFixture f, String k) {
    StringBuilder select = new StringBuilder();
    for (String c : REGULAR.split(", ")) {
      select.append(select.length() == 0 ? "" : ", ").append("writetime(").append(c).append(')');
    }
    Row r = session.execute("SELECT " + select + " FROM " + f.table() + " WHERE " + KEY, key(k)).one();
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < r.getColumnDefinitions().size(); i++) {
      out.add(r.isNull(i) ? null : r.getLong(i));
    }
    return out;
  }

  /** The question list of a row as CQL literals, in list order. */
  static List<String> questions(AssessmentFixture f, String k) {
    Row r = session.execute("SELECT question FROM " + f.table() + " WHERE " + KEY, key(k)).one();
    List<String> out = new ArrayList<>();
    r.getList(0, com.datastax.driver.core.UDTValue.class).forEach(q -> out.add(q.toString()));
    return out;
  }

  /** Keys of the rows the archive must hold: every row updated before the current week. */
  static SortedSet<String> archivable(Map<String, List<String>> table) {
    SortedSet<String> out = new TreeSet<>();
    table.forEach((k, cells) -> {
      String updated = cells.stream().filter(c -> c.startsWith("updated_on=")).findFirst().orElseThrow().substring(11);
      if (!updated.equals("null") && Instant.parse(updated).isBefore(CURRENT_WEEK)) {
        out.add(k);
      }
    });
    return out;
  }

  static SortedSet<String> keysInFiles(List<LedgerRow> rows) throws Exception {
    SortedSet<String> keys = new TreeSet<>();
    for (LedgerRow r : rows) {
      for (Map<String, String> m : ArchiveFiles.read(Paths.get(r.blobUrl()))) {
        keys.add(String.join("|", m.get("user_id"), m.get("course_id"), m.get("batch_id"), m.get("content_id"),
            m.get("attempt_id")));
      }
    }
    return keys;
  }

  static long sum(List<LedgerRow> rows, java.util.function.ToLongFunction<LedgerRow> f) {
    return rows.stream().mapToLong(f).sum();
  }

  @Test
  void archiveVerifyDeleteRestoreOnCassandra41() throws Exception {
    AssessmentFixture f = fixture("roundtrip", 400);
    List<String> candidates = new ArrayList<>(archivable(table(f)));
    // Before the archive: one row's list appended to, one row's list replaced whole, each after the
    // row's other cells were written (so later than the write time the archive records on 4.x).
    String appendedBefore = candidates.get(0);
    String replacedBefore = candidates.get(1);
    session.execute("UPDATE " + f.table() + " SET question = question + [{id: 'appended-before', score: 1.0}] WHERE " + KEY,
        key(appendedBefore));
    session.execute("UPDATE " + f.table() + " SET question = [{id: 'replaced-before', score: 2.0}] WHERE " + KEY,
        key(replacedBefore));
    Map<String, List<String>> original = table(f);
    SortedSet<String> archivable = archivable(original);

    String archiveOut = cli(f, "archive", "--cassandraSplits=4");
    Ledger ledger = new Ledger(new JdbcEndpoint(f.ledgerUrl(), null, null));
    List<LedgerRow> partitions = ledger.archives().rowsOfType("assessment");
    assertEquals(6, partitions.size(), "3 batches x 2 complete weeks: " + archiveOut);
    assertEquals(archivable, keysInFiles(partitions), "the files hold exactly the rows of the complete weeks");
    assertEquals(archivable.size(), sum(partitions, LedgerRow::rowCount));
    Set<String> files = new TreeSet<>(ArchiveFiles.list(f.root().resolve("archived-batches/assessment")));
    Set<String> listed = new TreeSet<>();
    for (LedgerRow r : partitions) {
      assertEquals(ArchiveStatus.SUCCESS, r.archivalStatus());
      assertEquals(ArchiveFiles.sha256(Paths.get(r.blobUrl())), r.checksumSha256());
      assertEquals(Files.size(Paths.get(r.blobUrl())), r.byteSize());
      listed.add(Paths.get(r.blobUrl()).getFileName().toString());
    }
    assertEquals(listed, files, "one file per ledger row, nothing else");

    String verifyOut = cli(f, "verify");
    assertTrue(verifyOut.contains("checked: 6 OK") && verifyOut.contains("every file verified"), verifyOut);

    // After the archive: one row changed in a regular column, one only in its list.
    String changedRegular = candidates.get(2);
    String changedList = candidates.get(3);
    session.execute("UPDATE " + f.table() + " SET total_score = 99.5 WHERE " + KEY, key(changedRegular));
    session.execute("UPDATE " + f.table() + " SET question = question + [{id: 'appended-after', score: 3.0}] WHERE " + KEY,
        key(changedList));
    Map<String, List<String>> beforeDelete = table(f);
    List<Long> regularTimes = writeTimes(f, changedRegular);
    List<Long> listTimes = writeTimes(f, changedList);
    List<String> listAfterChange = questions(f, changedList);

    String deleteOut = cli(f, "delete");
    Map<String, List<String>> afterDelete = table(f);
    Set<String> kept = Set.of(appendedBefore, replacedBefore, changedRegular, changedList);
    for (String k : beforeDelete.keySet()) {
      boolean gone = archivable.contains(k) && !kept.contains(k);
      assertEquals(!gone, afterDelete.containsKey(k), k);
    }
    assertEquals(beforeDelete.size() - archivable.size() + 4, afterDelete.size(), deleteOut);
    // Rows whose list is newer than their other cells are not deleted on 4.x, and survive whole.
    assertEquals(original.get(appendedBefore), afterDelete.get(appendedBefore), "list appended before the archive");
    assertEquals(original.get(replacedBefore), afterDelete.get(replacedBefore), "list replaced before the archive");
    // Rows changed after the archive are skipped at the check: untouched.
    assertEquals(beforeDelete.get(changedRegular), afterDelete.get(changedRegular));
    assertEquals(beforeDelete.get(changedList), afterDelete.get(changedList));
    assertEquals(regularTimes, writeTimes(f, changedRegular), "not written to");
    assertEquals(listTimes, writeTimes(f, changedList), "not written to");
    assertEquals(listAfterChange, questions(f, changedList));
    partitions = ledger.archives().rowsOfType("assessment");
    assertTrue(partitions.stream().allMatch(r -> r.deleted()), partitions.toString());
    assertEquals(archivable.size() - 4, sum(partitions, LedgerRow::deletedRows));
    assertEquals(4, sum(partitions, LedgerRow::skippedChangedRows));
    assertEquals(0, sum(partitions, LedgerRow::absentRows));

    String restoreOut = cli(f, "restore");
    assertEquals(beforeDelete, table(f), "restore gives the table back cell for cell: " + restoreOut);
    assertEquals(listAfterChange, questions(f, changedList), "the list changed after the archive keeps its change");
    String again = cli(f, "restore");
    assertEquals(beforeDelete, table(f), "a second restore changes nothing");
    assertTrue(again.contains("already present"), again);
  }

  /** Changes that land between the delete's check and its DELETE, on 4.1. */
  @Test
  void rowsChangedDuringTheDeleteSurviveWhole() throws Exception {
    AssessmentFixture f = fixture("race", 200);
    cli(f, "archive", "--cassandraSplits=2");
    Map<String, List<String>> original = table(f);
    List<String> archived = new ArrayList<>(keysInFiles(new Ledger(new JdbcEndpoint(f.ledgerUrl(), null, null))
        .archives().rowsOfType("assessment")));
    String appended = archived.get(1);
    String regular = archived.get(4);
    String replaced = archived.get(7);
    List<String> listBefore = questions(f, appended);
    Race race = new Race(TestServers.cassandra41Port(), f.table(), appended, regular, replaced);

    DeleteOptions o = PipelineOptionsFactory.fromArgs(f.options().toArray(new String[0])).as(DeleteOptions.class);
    DeleteSummary d = DeletePipeline.run(o, Clock.fixed(AS_OF, ZoneOffset.UTC), new Progress(new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true)), race);
    assertEquals(3, Race.FIRED.get(), "the three races ran");
    assertEquals(0, d.failedPartitions(), d.partitions().toString());
    assertEquals(3, d.total(DeletionReport::skippedChanged));
    assertEquals(archived.size() - 3, d.total(DeletionReport::deleted));
    Map<String, List<String>> after = table(f);
    for (String k : archived) {
      assertEquals(k.equals(appended) || k.equals(regular) || k.equals(replaced), after.containsKey(k), k);
    }
    // Each survivor: its change, and every other cell as archived.
    assertEquals(without(original.get(appended), "question="), without(after.get(appended), "question="));
    List<String> list = questions(f, appended);
    assertEquals(listBefore, list.subList(0, list.size() - 1), "the archived elements, in order, before the raced one");
    assertTrue(list.get(list.size() - 1).startsWith("{id:'raced'"), list.toString());
    assertEquals(without(original.get(regular), "grand_total="), without(after.get(regular), "grand_total="));
    assertTrue(after.get(regular).contains("grand_total=raced"));
    assertEquals(without(original.get(replaced), "question="), without(after.get(replaced), "question="));
    assertEquals(1, questions(f, replaced).size());
    assertTrue(questions(f, replaced).get(0).startsWith("{id:'replaced-during'"), questions(f, replaced).toString());
  }

  static List<String> without(List<String> cells, String prefix) {
    return cells.stream().filter(c -> !c.startsWith(prefix)).toList();
  }

  /** Writes to three rows with its own connection, right before their guarded DELETE is sent. */
  static final class Race implements DeleteHook {
    static final AtomicInteger FIRED = new AtomicInteger();
    private final int port;
    private final String table;
    private final String appended;
    private final String regular;
    private final String replaced;
    private transient Session own;

    Race(int port, String table, String appended, String regular, String replaced) {
      this.port = port;
      this.table = table;
      this.appended = appended;
      this.regular = regular;
      this.replaced = replaced;
      FIRED.set(0);
    }

    private synchronized Session session() {
      if (own == null) {
        own = Cluster.builder().withNettyOptions(CassandraConnection.QUICK_CLOSE).addContactPoint("127.0.0.1").withPort(port).withoutJMXReporting().build().connect();
      }
      return own;
    }

    @Override
    public void beforeDelete(String[] values) {
      String k = String.join("|", values[0], values[1], values[2], values[3], values[4]);
      Object[] key = {values[0], values[1], values[2], values[3], values[4]};
      String set;
      if (k.equals(appended)) {
        set = "question = question + [{id: 'raced'}]";
      } else if (k.equals(regular)) {
        set = "grand_total = 'raced'";
      } else if (k.equals(replaced)) {
        set = "question = [{id: 'replaced-during'}]";
      } else {
        return;
      }
      session().execute("UPDATE " + table + " SET " + set + " WHERE " + KEY, key);
      FIRED.incrementAndGet();
    }
  }
}
