package org.beamarchiver.transforms;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.ArchivedFile;
import org.beamarchiver.model.WeekSelection;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.SourceRowCoder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class WritePartitionFilesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static List<SourceRow> rows(int n, long seed) {
    List<SourceRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          KeyByPartitionTest.row(
              "u" + (i * 7919 % n), "b1", "a" + i, "2016-01-0" + (4 + i % 3) + "T00:00:00Z"));
    }
    Collections.shuffle(out, new java.util.Random(seed));
    return out;
  }

  private PCollection<ArchivedFile> write(
      List<SourceRow> rows, String root, int sortMb, WritePartitionFiles.Shuffle shuffle) {
    return write(rows, root, sortMb, shuffle, WritePartitionFiles.WriteAhead.NONE);
  }

  private PCollection<ArchivedFile> write(
      List<SourceRow> rows, String root, int sortMb, WritePartitionFiles.Shuffle shuffle,
      WritePartitionFiles.WriteAhead writeAhead) {
    ArchiveRequest all =
        ArchiveRequest.resolve(WeekSelection.ALL, null, null, Instant.parse("2020-01-01T00:00:00Z"), List.of());
    return p.apply(Create.of(rows).withCoder(SourceRowCoder.of()))
        .apply(new KeyByPartition(KeyByPartitionTest.LAYOUT, all, Set.of()))
        .get(KeyByPartition.KEYED)
        .apply(
            new WritePartitionFiles(
                new WritePartitionFiles.FileSettings(
                    root,
                    "assessment",
                    "run-1",
                    1000L,
                    List.of(KeyByPartitionTest.LAYOUT.fileHeader()),
                    6,
                    sortMb,
                    shuffle,
                    writeAhead)));
  }

  /** What the write-ahead was given, call by call, and when a file first existed. */
  static final java.util.concurrent.ConcurrentLinkedQueue<String> AHEAD = new java.util.concurrent.ConcurrentLinkedQueue<>();

  private static final int PARTITIONS = partitions(rowsInWeeks(600), null);
  private static final int B3_PARTITIONS = partitions(rowsInWeeks(600), "b3");

  private static int partitions(List<SourceRow> rows, String batch) {
    Set<String> keys = new java.util.HashSet<>();
    for (SourceRow r : rows) {
      if (batch == null || batch.equals(r.values()[1])) {
        keys.add(r.values()[1] + "/" + org.beamarchiver.model.IsoWeek.ofEpochMillis(r.timeMillis()));
      }
    }
    return keys.size();
  }

  private static List<SourceRow> rowsInWeeks(int n) {
    List<SourceRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          KeyByPartitionTest.row(
              "u" + i, "b" + (i % 5), "a" + i, "2016-0" + (1 + i % 3) + "-1" + (i % 7) + "T00:00:00Z"));
    }
    return out;
  }

  @Test
  public void spillShuffleRecordsAShardsWriteAheadsInOneCallBeforeAnyOfItsFilesExists() throws Exception {
    AHEAD.clear();
    String root = tmp.getRoot().getAbsolutePath();
    PCollection<ArchivedFile> files =
        write(
            rowsInWeeks(600), root, 16, WritePartitionFiles.Shuffle.SPILL,
            names -> {
              for (String n : names.values()) {
                if (Files.exists(Paths.get(n))) {
                  throw new AssertionError("written before its write-ahead: " + n);
                }
              }
              AHEAD.add(names.size() + ":" + String.join(",", new java.util.TreeSet<>(names.values())));
            });
    PAssert.that(files)
        .satisfies(
            fs -> {
              int n = 0;
              for (ArchivedFile f : fs) {
                assertNull(f.error());
                assertTrue(Files.exists(Paths.get(f.blobUrl())));
                n++;
              }
              assertEquals("partitions", PARTITIONS, n);
              return null;
            });
    p.run().waitUntilFinish();
    int named = 0;
    for (String call : AHEAD) {
      named += Integer.parseInt(call.substring(0, call.indexOf(':')));
    }
    assertEquals("every partition recorded once: " + AHEAD, PARTITIONS, named);
    assertTrue("recorded a shard at a time, not one by one: " + AHEAD.size() + " calls", AHEAD.size() < PARTITIONS);
  }

  @Test
  public void aFailedShardWriteAheadFallsBackToOneAtATimeAndFailsOnlyThePartitionsItCannotRecord()
      throws Exception {
    AHEAD.clear();
    String root = tmp.getRoot().getAbsolutePath();
    PCollection<ArchivedFile> files =
        write(
            rowsInWeeks(600), root, 16, WritePartitionFiles.Shuffle.SPILL,
            names -> {
              if (names.size() > 1) {
                throw new java.sql.SQLException("ledger unavailable for a batch");
              }
              String n = names.values().iterator().next();
              if (n.contains("/b3-")) {
                throw new java.sql.SQLException("ledger refused " + n);
              }
              AHEAD.add(n);
            });
    PAssert.that(files)
        .satisfies(
            fs -> {
              int ok = 0;
              int failed = 0;
              for (ArchivedFile f : fs) {
                if (f.partition().batchId().equals("b3")) {
                  assertTrue(f.error(), f.error().contains("write-ahead failed"));
                  failed++;
                } else {
                  assertNull(f.error());
                  ok++;
                }
              }
              assertEquals(PARTITIONS - B3_PARTITIONS, ok);
              assertEquals(B3_PARTITIONS, failed);
              return null;
            });
    p.run().waitUntilFinish();
    assertEquals("each written partition recorded on its own: " + AHEAD, PARTITIONS - B3_PARTITIONS, AHEAD.size());
    for (String n : AHEAD) {
      assertTrue(n, Files.exists(Paths.get(n)));
    }
    try (var listing = Files.walk(Paths.get(root, "archived-batches"))) {
      assertTrue("no file of an unrecorded partition", listing.noneMatch(f -> f.getFileName().toString().startsWith("b3-")));
    }
  }

  @Test
  public void writesOneSortedFileWhoseChecksumAndCountsAreRight() throws Exception {
    check(WritePartitionFiles.Shuffle.RUNNER, 16);
  }

  @Test
  public void spillShuffleWritesTheSameWayFromManyRuns() throws Exception {
    check(WritePartitionFiles.Shuffle.SPILL, 0);
  }

  private void check(WritePartitionFiles.Shuffle shuffle, int sortMb) throws Exception {
    String root = tmp.getRoot().getAbsolutePath();
    PCollection<ArchivedFile> files = write(rows(3000, 1), root, sortMb, shuffle);
    PAssert.thatSingleton(files)
        .satisfies(
            f -> {
              try {
                assertNull(f.error());
                assertEquals(3000, f.rowCount());
                Path path = Paths.get(f.blobUrl());
                assertEquals(root + "/archived-batches/assessment/b1-2016-01-1000.csv.gz", f.blobUrl());
                byte[] bytes = Files.readAllBytes(path);
                assertEquals(bytes.length, f.byteSize());
                assertEquals(
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
                    f.sha256());
                assertEquals(Instant.parse("2016-01-04T00:00:00Z").toEpochMilli(), f.minTimeMillis());
                assertEquals(Instant.parse("2016-01-06T00:00:00Z").toEpochMilli(), f.maxTimeMillis());
                try (CSVParser csv =
                    CsvLines.READ_FORMAT.parse(
                        new InputStreamReader(
                            new GZIPInputStream(Files.newInputStream(path)), StandardCharsets.UTF_8))) {
                  assertEquals(
                      List.of("user_id", "batch_id", "attempt_id", "updated_on", "_writetime_micros"),
                      csv.getHeaderNames());
                  String prev = null;
                  int n = 0;
                  for (CSVRecord r : csv) {
                    String k = r.get(0) + "\u0000" + r.get(2);
                    if (prev != null) {
                      assertTrue(prev + " <= " + k, prev.compareTo(k) <= 0);
                    }
                    prev = k;
                    n++;
                  }
                  assertEquals(3000, n);
                }
                assertFalse(Files.exists(Paths.get(root, "_tmp", "run-1", "b1-2016-01-1000.csv.gz")));
              } catch (Exception e) {
                throw new AssertionError(e);
              }
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void mergesAreDealtIntoBalancedShardsHoldingEveryPartitionOnce() {
    java.util.Map<org.beamarchiver.model.PartitionKey, List<WritePartitionFiles.Segment>> plan = new java.util.HashMap<>();
    java.util.Random random = new java.util.Random(5);
    long total = 0;
    for (int b = 0; b < 200; b++) {
      long records = 1 + random.nextInt(1000);
      total += records;
      plan.put(
          org.beamarchiver.model.PartitionKey.of("b" + b, org.beamarchiver.model.IsoWeek.parse("2024-W01")),
          List.of(new WritePartitionFiles.Segment("r1", 0, records / 2, 0), new WritePartitionFiles.Segment("r2", 0, records - records / 2, 0)));
    }
    java.util.Map<Integer, List<org.apache.beam.sdk.values.KV<org.beamarchiver.model.PartitionKey, List<WritePartitionFiles.Segment>>>> shards =
        WritePartitionFiles.shards(plan, 16);
    assertEquals(16, shards.size());
    Set<org.beamarchiver.model.PartitionKey> seen = new java.util.HashSet<>();
    long max = 0;
    for (var shard : shards.values()) {
      long load = 0;
      for (var p : shard) {
        assertTrue("partition dealt twice: " + p.getKey(), seen.add(p.getKey()));
        load += p.getValue().stream().mapToLong(WritePartitionFiles.Segment::records).sum();
      }
      max = Math.max(max, load);
    }
    assertEquals(plan.keySet(), seen);
    // Largest-first dealing: no shard exceeds the mean by more than the largest partition.
    assertTrue("heaviest shard " + max + " of " + total, max <= total / 16 + 1000);
  }
}
