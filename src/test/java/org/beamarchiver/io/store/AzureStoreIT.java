package org.beamarchiver.io.store;

import org.beamarchiver.ledger.DeletionStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.support.ArchiveFiles;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code azfs://} end to end on Azure Blob Storage's emulator (Azurite on loopback, shared-key
 * signatures checked) through the CLI, with the options the README documents: gzip CSV and Parquet
 * archives in one container folder verify, the delete removes exactly the archived rows (the
 * unfinished week and the dead letters stay), the restore gives the table back cell for cell, and
 * nothing temporary is left in the container; a changed blob is caught by verify and its partition
 * kept by the delete.
 *
 * <p>The blob endpoint the CLI is given is a fixture's parameter, so the same steps can run through
 * a proxy in front of Azurite; the test's own client always talks to Azurite directly.
 */
class AzureStoreIT {
  static final Instant AS_OF = AssessmentFixture.AS_OF;
  static final String CONTAINER = "archives-it";
  /**
   * 4 generated batches over 2020-W53, 2021-W01 and the unfinished 2021-W02, plus one batch with a
   * hostile id in the two complete weeks: 10 partitions to archive.
   */
  static final int BATCHES = 4;

  static final int PARTITIONS = 2 * BATCHES + 2;

  static Cluster cluster;
  static Session session;
  static BlobContainerClient container;
  @TempDir static Path dir;
  static Path keyFile;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestServers.cluster();
    session = cluster.connect();
    BlobServiceClient service =
        new BlobServiceClientBuilder()
            .connectionString(TestServers.azureConnectionString(TestServers.azuriteEndpoint()))
            .buildClient();
    container = service.createBlobContainer(CONTAINER);
    keyFile = dir.resolve("signing.key");
    Files.writeString(keyFile, "azure-store-it signing key, long enough\n");
  }

  @AfterAll
  static void stop() {
    session.close();
    cluster.close();
  }

  /**
   * A batch id that no blob name may hold as it is (a slash, '%', a space, non-ASCII, URL
   * punctuation): its archives are named by the escaped id.
   */
  static final String HOSTILE = "b/%41 \u00e4?#+&";

  /**
   * The generated rows (2 of them without a time: dead letters), plus 6 rows of {@link #HOSTILE}
   * in 2021-W01 and 2 in 2020-W53; under {@code prefix} in the container ({@code f.name()}), the
   * CLI reaching the container at {@code blobEndpoint}.
   */
  static AssessmentFixture fixture(String prefix, String blobEndpoint) throws Exception {
    AssessmentFixture f =
        AssessmentFixture.builder(session, dir).name(prefix).keyspacePrefix("azure_it")
            .rows(1500).batches(BATCHES).weeks(3).deadLetters(2).seed(23L)
            .root("azfs://" + TestServers.AZURE_ACCOUNT + "/" + CONTAINER + "/" + prefix).signingKeyFile(keyFile)
            .options("--cassandraSplits=4", "--azureConnectionString=" + TestServers.azureConnectionString(blobEndpoint))
            .build();
    com.datastax.driver.core.PreparedStatement insert =
        session.prepare(
            "INSERT INTO " + f.table() + " (user_id, course_id, batch_id, content_id, attempt_id, created_on,"
                + " grand_total, total_max_score, total_score, updated_on) VALUES (?,?,?,?,?,?,?,?,?,?)");
    for (int i = 0; i < 8; i++) {
      Instant t = Instant.parse(i < 6 ? "2021-01-05T10:00:00Z" : "2020-12-29T10:00:00Z").plusSeconds(61L * i);
      session.execute(
          insert.bind("user-h" + i, "do_course_h", HOSTILE, "do_content_h" + i, "attempt-h" + i, java.util.Date.from(t),
              i + "/5", 5.0, (double) i, java.util.Date.from(t)));
    }
    return f;
  }

  /** A command over a fixture, with the Azure options as the README gives them; period ALL unless given. */
  static Cli cli(AssessmentFixture f, String command, String... extra) {
    List<String> a = f.options(extra);
    a.add(0, command);
    return Cli.run(a);
  }

  static Cli expect(int code, AssessmentFixture f, String command, String... extra) {
    Cli c = cli(f, command, extra);
    assertEquals(code, c.code(), command + ": " + c.out());
    return c;
  }

  /** Names of the blobs under a prefix of the container. */
  static List<String> blobs(String prefix) {
    return container.listBlobs(new ListBlobsOptions().setPrefix(prefix), null).stream().map(BlobItem::getName).sorted().toList();
  }

  /** The blob name of an {@code azfs://account/container/name} URL. */
  static String blobName(String url) {
    String head = "azfs://" + TestServers.AZURE_ACCOUNT + "/" + CONTAINER + "/";
    assertTrue(url.startsWith(head), url);
    return url.substring(head.length());
  }

  /** Every row of the table, cell for cell in canonical text, by primary key. */
  static Map<String, List<String>> table(AssessmentFixture f) {
    return f.cells(session);
  }

  /** The primary keys (as {@link #table} keys them) held by the archived blobs, read back from the container. */
  static Set<String> archivedKeys(List<String> names) throws Exception {
    Set<String> keys = new TreeSet<>();
    for (String name : names) {
      Path local = dir.resolve("download-" + System.nanoTime() + "-" + name.substring(name.lastIndexOf('/') + 1));
      container.getBlobClient(name).downloadToFile(local.toString());
      for (Map<String, String> r : ArchiveFiles.read(local)) {
        assertTrue(
            keys.add(r.get("user_id") + "|" + r.get("course_id") + "|" + r.get("batch_id") + "|" + r.get("content_id") + "|"
                + r.get("attempt_id")),
            "a key archived twice");
      }
    }
    return keys;
  }

  /** Rows per partition (batch / ISO week) in the live table; dead letters (no time) under "/none". */
  static Map<String, Long> rowsPerPartition(AssessmentFixture f) {
    Map<String, Long> out = new TreeMap<>();
    for (Row r : session.execute("SELECT batch_id, updated_on FROM " + f.keyspace() + ".assessment_aggregator")) {
      String week = r.isNull("updated_on") ? "none" : IsoWeek.ofEpochMillis(r.getTimestamp("updated_on").getTime()).toString();
      out.merge(r.getString("batch_id") + "/" + week, 1L, Long::sum);
    }
    return out;
  }

  /** verify's per-file lines counted by status. */
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
  void csvAndParquetArchivesInAContainerVerifyDeleteExactlyTheirRowsAndRestore() throws Exception {
    AssessmentFixture f = fixture("mixed", TestServers.azuriteEndpoint());
    Map<String, List<String>> original = table(f);
    String current = IsoWeek.of(AS_OF).toString();

    // The last complete week as gzip CSV (the spec's format), the week before as Parquet.
    Cli csv = expect(0, f, "archive", "--period=LAST_N_WEEKS", "--weeks=1");
    Cli parquet = expect(0, f, "archive", "--format=PARQUET");
    String type = f.name() + "/archived-batches/assessment/";
    List<String> files = blobs(type);
    assertEquals(PARTITIONS, files.size(), "5 batches x 2 ended weeks: " + files + "\n" + csv.out() + parquet.out());
    assertEquals(PARTITIONS / 2, files.stream().filter(n -> n.endsWith(".csv.gz")).count(), files.toString());
    assertEquals(PARTITIONS / 2, files.stream().filter(n -> n.endsWith(".parquet")).count(), files.toString());
    // Every archive sits in the type's folder under its escaped name, the hostile batch's too.
    assertTrue(files.stream().allMatch(n -> n.lastIndexOf('/') == type.length() - 1 && !n.contains("%")), files.toString());
    assertEquals(
        2,
        files.stream().filter(n -> ArchivePaths.unescape(n.substring(type.length()).replaceAll("-\\d{4}-\\d{2}-\\d+\\..*$", "")).equals(HOSTILE)).count(),
        files.toString());
    assertTrue(files.stream().noneMatch(n -> n.contains("-" + current.replace("-W", "-") + "-")), "the unfinished week is not archived");
    List<LedgerRow> archived = f.archived();
    assertEquals(Set.copyOf(files), Set.copyOf(archived.stream().map(r -> blobName(r.blobUrl())).toList()), "the ledger names the blobs");
    for (LedgerRow r : archived) {
      byte[] bytes = container.getBlobClient(blobName(r.blobUrl())).downloadContent().toBytes();
      assertEquals(r.byteSize().longValue(), bytes.length, r.blobUrl());
    }
    assertEquals(2, blobs(f.name() + "/manifests/assessment/").size(), "one manifest per run");
    assertEquals(2, blobs(f.name() + "/dead-letters/assessment/").size(), "the 2 rows without a time, once per run");
    assertEquals(List.of(), blobs(f.name() + "/_tmp/"), "nothing temporary left in the container");
    assertEquals(List.of(), blobs(f.name() + "/").stream().filter(n -> n.contains(".writing-")).toList(), "no half-written object");

    Cli verify = expect(0, f, "verify");
    assertEquals(Map.of("OK", (long) files.size()), statusCounts(verify.out()), verify.out());
    for (String name : files) {
      assertTrue(verify.out().contains(name), name + " verified: " + verify.out());
    }

    Set<String> inArchives = archivedKeys(files);
    expect(0, f, "delete");
    Map<String, List<String>> afterDelete = table(f);
    Set<String> gone = new TreeSet<>(original.keySet());
    gone.removeAll(afterDelete.keySet());
    assertEquals(inArchives, gone, "exactly the archived rows are deleted");
    for (Map.Entry<String, List<String>> e : afterDelete.entrySet()) {
      assertEquals(original.get(e.getKey()), e.getValue(), "a row kept is untouched: " + e.getKey());
    }
    Set<String> weeksLeft = new TreeSet<>();
    rowsPerPartition(f).keySet().forEach(p -> weeksLeft.add(p.substring(p.lastIndexOf('/') + 1)));
    assertEquals(Set.of(current, "none"), weeksLeft, "the unfinished week and the dead letters are kept");

    expect(0, f, "restore");
    assertEquals(original, table(f), "the table is back cell for cell");
    assertEquals(List.of(), blobs(f.name() + "/_tmp/"), "nothing temporary left after delete and restore");
    assertEquals(List.of(), blobs(f.name() + "/").stream().filter(n -> n.contains(".writing-")).toList(), "no half-written object");
  }

  @Test
  void aChangedBlobIsCaughtByVerifyAndTheDeleteKeepsItsPartition() throws Exception {
    AssessmentFixture f = fixture("tamper", TestServers.azuriteEndpoint());
    expect(0, f, "archive");
    List<LedgerRow> archived = f.archived();
    assertEquals(PARTITIONS, archived.size());
    Map<String, Long> before = rowsPerPartition(f);

    // One blob changed in place (same size): verify names it, and only it.
    LedgerRow victim = archived.get(archived.size() / 2);
    String name = blobName(victim.blobUrl());
    byte[] bytes = container.getBlobClient(name).downloadContent().toBytes();
    bytes[bytes.length / 2] ^= 0x01;
    container.getBlobClient(name).upload(BinaryData.fromBytes(bytes), true);
    // And a blob no ledger row names, in the archive folder: an orphan.
    String orphan = f.name() + "/archived-batches/assessment/batch-009-2021-01-1234.csv.gz";
    container.getBlobClient(orphan).upload(BinaryData.fromBytes(bytes), false);
    Cli verify = expect(6, f, "verify", "--problemsOnly=true");
    assertEquals(Map.of("CHECKSUM_MISMATCH", 1L, "ORPHAN", 1L), statusCounts(verify.out()), verify.out());
    assertTrue(verify.out().contains(name) && verify.out().contains(orphan), verify.out());
    assertTrue(verify.out().contains((archived.size() - 1) + " OK"), verify.out());

    // The delete refuses that partition (exit 3) and deletes the others.
    Cli delete = expect(3, f, "delete");
    String refused = victim.batchId() + "/" + victim.period();
    Map<String, Long> after = rowsPerPartition(f);
    for (LedgerRow r : archived) {
      String p = r.batchId() + "/" + r.period();
      if (p.equals(refused)) {
        assertEquals(before.get(p), after.get(p), "rows of the changed partition " + p + " all remain\n" + delete.out());
      } else {
        assertFalse(after.containsKey(p), "rows of verified partition " + p + " are deleted");
      }
    }
    Map<String, LedgerRow> now = new HashMap<>();
    f.archived().forEach(r -> now.put(r.batchId() + "/" + r.period(), r));
    assertEquals(DeletionStatus.FAILED, now.get(refused).deletionStatus());
    assertTrue(now.get(refused).errMessage().contains("checksum mismatch"), now.get(refused).errMessage());
  }
}
