package org.beamarchiver.transforms;

import static org.junit.Assert.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.WeekSelection;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.SourceRowCoder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The same rows in any order, sorted in memory or spilled, give the same bytes. */
public class CanonicalBytesTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private byte[] archive(List<SourceRow> rows, String root, int sortMb, WritePartitionFiles.Shuffle shuffle)
      throws Exception {
    return archive(rows, root, sortMb, shuffle, org.beamarchiver.model.ArchiveFormat.CSV_GZ);
  }

  private byte[] archive(
      List<SourceRow> rows, String root, int sortMb, WritePartitionFiles.Shuffle shuffle,
      org.beamarchiver.model.ArchiveFormat format) throws Exception {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    ArchiveRequest all =
        ArchiveRequest.resolve(WeekSelection.ALL, null, null, Instant.parse("2020-01-01T00:00:00Z"), List.of());
    p.apply(Create.of(rows).withCoder(SourceRowCoder.of()))
        .apply(new KeyByPartition(KeyByPartitionTest.LAYOUT, all, Set.of()))
        .get(KeyByPartition.KEYED)
        .apply(
            new WritePartitionFiles(
                new WritePartitionFiles.FileSettings(
                    root, "t", "run", 7L, List.of(KeyByPartitionTest.LAYOUT.fileHeader()), 6, sortMb, shuffle)
                    .withFormat(format)));
    p.run().waitUntilFinish();
    return Files.readAllBytes(Path.of(root, "archived-batches", "t", "b1-2016-01-7" + format.suffix()));
  }

  @Test
  public void sameRowsSameBytesWhateverTheOrderOrSpill() throws Exception {
    List<SourceRow> rows = new ArrayList<>();
    for (int i = 0; i < 60_000; i++) {
      rows.add(KeyByPartitionTest.row("user-" + i, "b1", "attempt-" + (i % 13), "2016-01-05T00:00:00Z"));
    }
    byte[] a = archive(rows, tmp.newFolder().getPath(), 128, WritePartitionFiles.Shuffle.RUNNER);
    Collections.shuffle(rows, new Random(3));
    // 4 MB of sort memory for ~9 MB of payload: the sorter spills runs to disk and merges them
    byte[] b = archive(rows, tmp.newFolder().getPath(), 4, WritePartitionFiles.Shuffle.RUNNER);
    assertArrayEquals(a, b);
    Collections.shuffle(rows, new Random(4));
    // SPILL: sorted run files of 1 MB, merged per partition
    byte[] c = archive(rows, tmp.newFolder().getPath(), 1, WritePartitionFiles.Shuffle.SPILL);
    assertArrayEquals(a, c);
  }

  @Test
  public void sqliteArchivesAreCanonicalAndReadBackAsArchived() throws Exception {
    List<SourceRow> rows = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      rows.add(KeyByPartitionTest.row("user-" + i + (i % 7 == 0 ? " \"q\", é" : ""), "b1", "attempt-" + (i % 13), "2016-01-05T00:00:00Z"));
    }
    org.beamarchiver.model.ArchiveFormat sqlite = org.beamarchiver.model.ArchiveFormat.SQLITE;
    String root = tmp.newFolder().getPath();
    byte[] a = archive(rows, root, 128, WritePartitionFiles.Shuffle.RUNNER, sqlite);
    Collections.shuffle(rows, new Random(5));
    byte[] b = archive(rows, tmp.newFolder().getPath(), 1, WritePartitionFiles.Shuffle.SPILL, sqlite);
    assertArrayEquals("the same rows give the same SQLite bytes, whatever their order or spill", a, b);
    // Read back through the verifying reader: every row, in key order, with its values.
    Path file = Path.of(root, "archived-batches", "t", "b1-2016-01-7.sqlite");
    String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(a));
    org.beamarchiver.model.ArchivedPartition p =
        new org.beamarchiver.model.ArchivedPartition(
            "u", org.beamarchiver.model.PartitionKey.of("b1", org.beamarchiver.model.IsoWeek.parse("2016-W01")),
            file.toString(), rows.size(), a.length, sha);
    List<String> header = List.of(KeyByPartitionTest.LAYOUT.fileHeader());
    java.util.Set<String> read = new java.util.TreeSet<>();
    try (org.beamarchiver.io.store.ArchiveReader.VerifiedFile f =
        org.beamarchiver.io.store.ArchiveReader.fetchVerified(p, header, tmp.newFolder().toPath())) {
      for (java.util.Iterator<SourceRow> it = f.rows(); it.hasNext(); ) {
        read.add(String.join("|", it.next().values()));
      }
    }
    java.util.Set<String> expected = new java.util.TreeSet<>();
    rows.forEach(r -> expected.add(String.join("|", r.values())));
    org.junit.Assert.assertEquals(expected, read);
  }
}
