package org.beamarchiver.transforms;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.io.store.ArchiveReader;
import org.beamarchiver.model.ArchiveFormat;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.WeekSelection;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.SourceRowCoder;
import org.beamarchiver.support.ArchiveFiles;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A Parquet archive written by {@link WritePartitionFiles} holds, in primary-key order, exactly
 * the canonical texts and write times of its rows, read back through the verified reader the
 * delete, restore and report use; and it gives back the same rows as the CSV archive of them.
 */
public class ParquetFilesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  static final RowLayout LAYOUT =
      new RowLayout(
          List.of("user_id", "batch_id", "attempt_id", "updated_on", "payload"),
          List.of("text", "text", "text", "timestamp", "text"),
          new int[] {0, 1, 2},
          1,
          3,
          0);

  /** Canonical texts as the archive writes them, null included. */
  static final String[] TEXTS = {
    null, "", " ", "null", "\"", ",", "\n", "é", "批次", "😀", "x\"y,z\nw", "\\",
    "[{\"id\":\"q1\",\"max_score\":1.0,\"params\":[],\"title\":\"Ünïcødé \\\"q\\\"\"}]",
    "{\"a\":1,\"b\":[1,2,3]}", "[\"x\",\"y\"]", "2016-01-04T00:00:00.000Z", "-0.0", "1.0E-7",
  };

  private static List<SourceRow> rows(int n) {
    List<SourceRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String time = "2016-01-0" + (4 + i % 3) + "T00:00:00.000Z";
      out.add(
          new SourceRow(
              new String[] {"u" + (i * 7919 % n), "b1", "a" + i, time, TEXTS[i % TEXTS.length]},
              Instant.parse(time).toEpochMilli(),
              i % 11 == 0 ? SourceRow.NO_WRITE_TIME : 1_450_000_000_000_000L + i));
    }
    Collections.shuffle(out, new Random(9));
    return out;
  }

  private static WritePartitionFiles settingsFor(String root, ArchiveFormat format, WritePartitionFiles.Shuffle shuffle) {
    return new WritePartitionFiles(
        new WritePartitionFiles.FileSettings(
                root, "assessment", "run-1", 1000L, List.of(LAYOUT.fileHeader()), 6, 1, shuffle)
            .withFormat(format));
  }

  private static List<SourceRow> readVerified(Path file, long rows, Path work) throws Exception {
    ArchivedPartition partition =
        new ArchivedPartition(
            "u", new PartitionKey("b1", 2016, 1), file.toString(), rows, Files.size(file), ArchiveFiles.sha256(file));
    List<SourceRow> back = new ArrayList<>();
    try (ArchiveReader.VerifiedFile f = ArchiveReader.fetchVerified(partition, List.of(LAYOUT.fileHeader()), work)) {
      f.rows().forEachRemaining(back::add);
    }
    return back;
  }

  @Test
  public void parquetHoldsEveryCanonicalTextInKeyOrderAndReadsBackAsTheCsvDoes() throws Exception {
    int n = 3_000;
    List<SourceRow> input = rows(n);
    String csvRoot = tmp.newFolder("csv").getPath();
    String parquetRoot = tmp.newFolder("parquet").getPath();
    String spilledRoot = tmp.newFolder("parquet-spilled").getPath();
    ArchiveRequest all =
        ArchiveRequest.resolve(WeekSelection.ALL, null, null, Instant.parse("2020-01-01T00:00:00Z"), List.of());
    PCollection<KV<PartitionKey, KV<byte[], byte[]>>> keyed =
        p.apply(Create.of(input).withCoder(SourceRowCoder.of()))
            .apply(new KeyByPartition(LAYOUT, all, Set.of()))
            .get(KeyByPartition.KEYED);
    keyed.apply("WriteCsv", settingsFor(csvRoot, ArchiveFormat.CSV_GZ, WritePartitionFiles.Shuffle.RUNNER));
    keyed.apply("WriteParquet", settingsFor(parquetRoot, ArchiveFormat.PARQUET, WritePartitionFiles.Shuffle.RUNNER));
    // 1 MB of sort memory: runs spilled and merged
    keyed.apply("WriteParquetSpilled", settingsFor(spilledRoot, ArchiveFormat.PARQUET, WritePartitionFiles.Shuffle.SPILL));
    p.run().waitUntilFinish();

    Path csv = Path.of(csvRoot, "archived-batches", "assessment", "b1-2016-01-1000.csv.gz");
    Path parquet = Path.of(parquetRoot, "archived-batches", "assessment", "b1-2016-01-1000.parquet");
    Path spilled = Path.of(spilledRoot, "archived-batches", "assessment", "b1-2016-01-1000.parquet");
    Path work = tmp.newFolder("work").toPath();
    List<SourceRow> fromCsv = readVerified(csv, n, work);
    List<SourceRow> fromParquet = readVerified(parquet, n, work);

    // every row, every value, every write time: as written, in primary-key order
    List<SourceRow> expected = new ArrayList<>();
    for (SourceRow r : input) {
      expected.add(new SourceRow(r.values(), SourceRow.NO_TIME, r.writeTimeMicros()));
    }
    expected.sort(Comparator.comparing((SourceRow r) -> r.values()[0]).thenComparing(r -> r.values()[2]));
    assertEquals(expected, fromParquet);
    assertEquals(fromCsv, fromParquet);
    assertTrue(fromParquet.stream().anyMatch(r -> r.values()[4] == null));
    assertTrue(fromParquet.stream().anyMatch(r -> "".equals(r.values()[4])));
    assertTrue(fromParquet.stream().anyMatch(r -> r.writeTimeMicros() == SourceRow.NO_WRITE_TIME));
    // the same rows give the same bytes, spilled or not
    assertTrue(Arrays.equals(Files.readAllBytes(parquet), Files.readAllBytes(spilled)));
    assertTrue(ArchiveFiles.list(work.getParent().resolve("work")).isEmpty());
  }

  @Test
  public void aChangedOrMisnamedParquetFileIsRefused() throws Exception {
    String root = tmp.newFolder("p").getPath();
    ArchiveRequest all =
        ArchiveRequest.resolve(WeekSelection.ALL, null, null, Instant.parse("2020-01-01T00:00:00Z"), List.of());
    p.apply(Create.of(rows(200)).withCoder(SourceRowCoder.of()))
        .apply(new KeyByPartition(LAYOUT, all, Set.of()))
        .get(KeyByPartition.KEYED)
        .apply(settingsFor(root, ArchiveFormat.PARQUET, WritePartitionFiles.Shuffle.RUNNER));
    p.run().waitUntilFinish();
    Path file = Path.of(root, "archived-batches", "assessment", "b1-2016-01-1000.parquet");
    Path work = tmp.newFolder("w").toPath();
    assertEquals(200, readVerified(file, 200, work).size());

    // the ledger's row count must match what the file holds
    ArchivedPartition wrongCount =
        new ArchivedPartition("u", new PartitionKey("b1", 2016, 1), file.toString(), 201, Files.size(file), ArchiveFiles.sha256(file));
    ArchiveReader.VerificationException e =
        org.junit.Assert.assertThrows(
            ArchiveReader.VerificationException.class,
            () -> ArchiveReader.fetchVerified(wrongCount, List.of(LAYOUT.fileHeader()), work));
    assertTrue(e.getMessage(), e.getMessage().contains("row count mismatch: file has 200 rows, ledger says 201"));

    // other columns than the table's
    List<String> otherHeader = List.of("user_id", "batch_id", "attempt_id", "updated_on", "score", "_writetime_micros");
    ArchivedPartition good =
        new ArchivedPartition("u", new PartitionKey("b1", 2016, 1), file.toString(), 200, Files.size(file), ArchiveFiles.sha256(file));
    e = org.junit.Assert.assertThrows(
        ArchiveReader.VerificationException.class, () -> ArchiveReader.fetchVerified(good, otherHeader, work));
    assertTrue(e.getMessage(), e.getMessage().startsWith("columns differ"));

    // bytes that are not Parquet, under a name and checksum the ledger agrees with
    Path garbage = file.resolveSibling("b1-2016-02-1000.parquet");
    Files.write(garbage, "not parquet at all".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    ArchivedPartition bad =
        new ArchivedPartition("u", new PartitionKey("b1", 2016, 2), garbage.toString(), 0, Files.size(garbage), ArchiveFiles.sha256(garbage));
    e = org.junit.Assert.assertThrows(
        ArchiveReader.VerificationException.class, () -> ArchiveReader.fetchVerified(bad, List.of(LAYOUT.fileHeader()), work));
    assertTrue(e.getMessage(), e.getMessage().startsWith("does not parse as Parquet"));

    // a name of no format
    Path odd = Files.copy(file, file.resolveSibling("b1-2016-01-1000.orc"));
    ArchivedPartition unnamed =
        new ArchivedPartition("u", new PartitionKey("b1", 2016, 1), odd.toString(), 200, Files.size(odd), ArchiveFiles.sha256(odd));
    e = org.junit.Assert.assertThrows(
        ArchiveReader.VerificationException.class, () -> ArchiveReader.fetchVerified(unnamed, List.of(LAYOUT.fileHeader()), work));
    assertTrue(e.getMessage(), e.getMessage().startsWith("not an archive file name"));
    assertTrue(ArchiveFiles.list(work).isEmpty());
  }
}
