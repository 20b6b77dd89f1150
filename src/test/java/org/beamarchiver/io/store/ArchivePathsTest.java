package org.beamarchiver.io.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.beamarchiver.model.ArchiveFormat;
import org.beamarchiver.model.PartitionKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ArchivePathsTest {
  @Test
  void namesFollowTheDesignCard() {
    assertEquals(
        "/root/archived-batches/assessment/batch-1-2015-53-1700000000000.csv.gz",
        ArchivePaths.archiveFile("/root/", "assessment", new PartitionKey("batch-1", 2015, 53), 1700000000000L, ArchiveFormat.CSV_GZ));
    assertEquals(
        "s3://bucket/p/archived-batches/assessment/b-2016-01-5.parquet",
        ArchivePaths.archiveFile("s3://bucket/p", "assessment", new PartitionKey("b", 2016, 1), 5, ArchiveFormat.PARQUET));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../../etc/passwd", "a/b", "..", ".", "with space", "100%", "ünïcødé-批次", "%41", ".hidden", "a\\b"})
  void hostileBatchIdsStayUnderTheRootAndMapBack(String id) {
    String escaped = ArchivePaths.escape(id);
    assertFalse(escaped.contains("/") || escaped.contains("\\") || escaped.startsWith("."), escaped);
    assertEquals(id, ArchivePaths.unescape(escaped));
    Path root = Paths.get("/archive/archived-batches/assessment");
    Path file = root.resolve(ArchivePaths.fileName(new PartitionKey(id, 2020, 1), 1, ArchiveFormat.CSV_GZ)).normalize();
    assertTrue(file.startsWith(root) && file.getParent().equals(root), file.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"../../etc/passwd", "a/b", "..", "with space", "100%", "ünïcødé-批次", "%41", "~41", ".hidden"})
  void inAzureBlobStorageNamesHoldNoPercentSignAndMapBack(String id) {
    String dir = "azfs://account/container/p/archived-batches/assessment/";
    String file = ArchivePaths.archiveFile("azfs://account/container/p", "assessment", new PartitionKey(id, 2020, 1), 1, ArchiveFormat.CSV_GZ);
    assertTrue(file.startsWith(dir), file);
    String name = file.substring(dir.length());
    assertFalse(name.contains("%") || name.contains("/") || name.startsWith("."), name);
    assertEquals(id, ArchivePaths.unescape(name.substring(0, name.length() - "-2020-01-1.csv.gz".length())));
    assertEquals(ArchivePaths.fileName(new PartitionKey(id, 2020, 1), 1, ArchiveFormat.CSV_GZ), name.replace('~', '%'));
  }

  @Test
  void escapingIsInjective() {
    assertFalse(ArchivePaths.escape("%41").equals(ArchivePaths.escape("A")));
  }
}
