package org.beamarchiver.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.beamarchiver.support.ArchiveFiles;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.TestServers;
import org.beamarchiver.support.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet archives end to end against real Cassandra and a real ledger, through the CLI: a table
 * spec with {@code format: PARQUET} archives into {@code .parquet} files that verify, whose keys
 * are exactly the rows the verified delete removes, that restore cell for cell and that the report
 * reads as if the rows were live; and one archive folder holding both formats (gzip CSV for one
 * week, Parquet for the other) verifies, deletes and restores the same way.
 */
class ParquetArchiveIT {
  static final Instant AS_OF = RestoreReportIT.AS_OF;

  static Cluster cluster;
  static Session session;
  @TempDir static Path dir;
  static Path keyFile;

  @BeforeAll
  static void connect() throws Exception {
    cluster = TestServers.cluster();
    session = cluster.connect();
    keyFile = dir.resolve("signing.key");
    Files.writeString(keyFile, "parquet-archive-it key, long enough\n");
  }

  @AfterAll
  static void close() {
    session.close();
    cluster.close();
  }

  /** The assessment spec on a new keyspace with 2,000 rows (6 batches, 2 complete weeks), in {@code format}. */
  static AssessmentFixture fixture(String name, String format) throws Exception {
    return AssessmentFixture.builder(session, dir).name(name).keyspacePrefix("parquet_it")
        .rows(2000).batches(6).weeks(3).deadLetters(0).seed(17L)
        .specExtra(format == null ? "" : "format: " + format + "\n").signingKeyFile(keyFile).build();
  }

  /** A command over a fixture, as {@link RestoreReportIT} runs it. */
  static Cli cli(AssessmentFixture f, String command, String... extra) {
    return RestoreReportIT.cli(f, command, extra);
  }

  static Map<String, List<String>> table(AssessmentFixture f) {
    return f.cells(session);
  }

  /** The archived files, relative to the archive folder of the type. */
  static List<String> files(AssessmentFixture f) throws Exception {
    return ArchiveFiles.list(f.root().resolve("archived-batches").resolve("assessment"));
  }

  /** The primary keys listed in every archived file, as RestoreReportIT.table keys them. */
  static Set<String> archivedKeys(AssessmentFixture f) throws Exception {
    Set<String> keys = new TreeSet<>();
    Path type = f.root().resolve("archived-batches").resolve("assessment");
    for (String name : files(f)) {
      for (Map<String, String> r : ArchiveFiles.read(type.resolve(name))) {
        assertTrue(keys.add(
            r.get("user_id") + "|" + r.get("course_id") + "|" + r.get("batch_id") + "|" + r.get("content_id") + "|"
                + r.get("attempt_id")), "a key archived twice");
      }
    }
    return keys;
  }

  /** verify, delete, report and restore over whatever the fixture's archive folder holds. */
  static void deleteReportAndRestore(AssessmentFixture f, Map<String, List<String>> original, Path reportBefore)
      throws Exception {
    Cli verify = cli(f, "verify");
    assertEquals(0, verify.code(), verify.out());
    assertTrue(verify.out().contains("OK"), verify.out());

    Set<String> archived = archivedKeys(f);
    assertTrue(archived.size() > 500, "rows archived: " + archived.size());
    Cli delete = cli(f, "delete");
    assertEquals(0, delete.code(), delete.out());
    Map<String, List<String>> afterDelete = table(f);
    // exactly the archived rows are gone; every other row is untouched, cell for cell
    Set<String> gone = new TreeSet<>(original.keySet());
    gone.removeAll(afterDelete.keySet());
    assertEquals(archived, gone);
    for (Map.Entry<String, List<String>> e : afterDelete.entrySet()) {
      assertEquals(original.get(e.getKey()), e.getValue(), e.getKey());
    }

    Path reportAfter = dir.resolve(f.root().getFileName() + "-report-after.csv");
    Cli report = cli(f, "report", "--batchId=batch-002", "--output=" + reportAfter);
    assertEquals(0, report.code(), report.out());
    assertEquals(Files.readString(reportBefore), Files.readString(reportAfter));
    assertTrue(Files.readAllLines(reportAfter).size() > 100, "the report has the batch's rows");

    Cli restore = cli(f, "restore");
    assertEquals(0, restore.code(), restore.out());
    assertEquals(original, table(f));
  }

  @Test
  void aParquetArchiveVerifiesDeletesExactlyItsRowsRestoresAndReports() throws Exception {
    AssessmentFixture f = fixture("parquet", "PARQUET");
    Map<String, List<String>> original = table(f);
    Path before = dir.resolve("parquet-report-before.csv");
    assertEquals(0, cli(f, "report", "--batchId=batch-002", "--output=" + before).code());

    Cli archive = cli(f, "archive");
    assertEquals(0, archive.code(), archive.out());
    List<String> files = files(f);
    assertEquals(12, files.size(), files.toString());
    assertTrue(files.stream().allMatch(n -> n.endsWith(".parquet")), files.toString());
    // the ledger's SHA-256 is the object's
    String first = files.get(0);
    assertTrue(
        archive.out().contains(ArchiveFiles.sha256(f.root().resolve("archived-batches/assessment").resolve(first))),
        archive.out());

    deleteReportAndRestore(f, original, before);
  }

  @Test
  void oneFolderWithCsvAndParquetArchivesVerifiesDeletesAndRestores() throws Exception {
    AssessmentFixture f = fixture("mixed", null);
    Map<String, List<String>> original = table(f);
    Path before = dir.resolve("mixed-report-before.csv");
    assertEquals(0, cli(f, "report", "--batchId=batch-002", "--output=" + before).code());

    // the last complete week as gzip CSV (the spec's default), the week before as Parquet (--format)
    Cli csv = cli(f, "archive", "--period=LAST_N_WEEKS", "--weeks=1");
    assertEquals(0, csv.code(), csv.out());
    Cli parquet = cli(f, "archive", "--format=PARQUET");
    assertEquals(0, parquet.code(), parquet.out());
    List<String> files = files(f);
    Set<String> csvWeeks = new HashSet<>();
    Set<String> parquetWeeks = new HashSet<>();
    for (String n : files) {
      String week = n.replaceAll("^batch-\\d+-(\\d{4}-\\d{2})-\\d+\\..*$", "$1");
      (n.endsWith(".csv.gz") ? csvWeeks : parquetWeeks).add(week);
    }
    assertEquals(12, files.size(), files.toString());
    assertEquals(1, csvWeeks.size(), files.toString());
    assertEquals(1, parquetWeeks.size(), files.toString());
    assertFalse(csvWeeks.equals(parquetWeeks), files.toString());

    deleteReportAndRestore(f, original, before);
  }
}
