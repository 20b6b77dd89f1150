package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.FilesTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore of a files table: files back at their paths (or under another location),
 * byte-identical and with their archived modification time; a file already there with the archived
 * bytes left alone, one with other bytes kept and reported; from the recycle bin when it holds the
 * file, else from the archive; a restore of files into a table (or rows into a location) refused.
 */
class FileRestoreIT {
  @TempDir Path dir;
  FilesTable table;
  Path lake;
  List<String> args;

  @BeforeEach
  void setUp() throws IOException {
    table = new FilesTable(dir, "file-restore-it key, long enough");
    lake = table.lake;
    args = table.args;
  }

  private List<String> purgeArgs() {
    return table.purgeArgs();
  }

  @AfterEach
  void closeLedger() {
    table.close();
  }

  private void file(String relative, int bytes) throws IOException {
    Path p = table.file(relative, bytes);
    Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_000L + bytes));
  }

  /** Every file under {@code root}: its relative path → its bytes and modification time. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.exists(root)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(),
            java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)))
                + "@" + Files.getLastModifiedTime(p).toMillis());
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private void someFiles() throws IOException {
    file("dt=2026-11-02/a b.bin", 3_000);
    file("dt=2026-11-03/ünï/c.bin", 2_000);
    file("dt=2026-11-10/d.bin", 1_000);
  }

  @Test
  void deletedFilesComeBackAsTheyWereAndASecondRestoreWritesNothing() throws Exception {
    someFiles();
    Map<String, String> before = snapshot(lake);
    Cli.expect(0, "archive", args);
    Cli.expect(0, "delete", args);
    assertTrue(snapshot(lake).isEmpty());

    String out = Cli.expect(0, "restore", args);
    assertTrue(out.contains("partitions: 2, 0 FAILED; files written: 3"), out);
    assertEquals(before, snapshot(lake), "every file back, byte-identical, with its modification time");
    out = Cli.expect(0, "restore", args);
    assertTrue(out.contains("files written: 0") && out.contains("already present"), out);
    assertEquals(before, snapshot(lake));
  }

  @Test
  void aRestoreElsewhereLeavesAFileWithOtherBytesAloneAndSaysSo() throws Exception {
    someFiles();
    Cli.expect(0, "archive", args);
    Path elsewhere = dir.resolve("elsewhere place");
    Files.createDirectories(elsewhere.resolve("dt=2026-11-02"));
    Files.writeString(elsewhere.resolve("dt=2026-11-02/a b.bin"), "someone else's file\n");

    String out = Cli.expect(0, "restore", args, "--targetLocation=" + elsewhere);
    assertTrue(out.contains("files written: 2"), out);
    assertTrue(out.contains("kept at the target with other bytes: dt=2026-11-02/a b.bin"), out);
    assertEquals("someone else's file\n", Files.readString(elsewhere.resolve("dt=2026-11-02/a b.bin")));
    Map<String, String> source = snapshot(lake);
    Map<String, String> there = snapshot(elsewhere);
    assertEquals(source.get("dt=2026-11-03/ünï/c.bin"), there.get("dt=2026-11-03/ünï/c.bin"));
    assertEquals(source.get("dt=2026-11-10/d.bin"), there.get("dt=2026-11-10/d.bin"));
    assertEquals(3, snapshot(lake).size(), "the source is not touched");
  }

  @Test
  void theRecycleBinServesWhileItHoldsTheFileThenTheArchive() throws Exception {
    file("dt=2026-11-02/a.bin", 3_000);
    byte[] original = Files.readAllBytes(lake.resolve("dt=2026-11-02/a.bin"));
    Cli.expect(0, "archive", args);
    Cli.expect(0, "delete", args, "--recycleRoot=" + dir.resolve("bin"));
    // the archived copy damaged: only the bin can give the file back
    Path copy;
    try (Stream<Path> s = Files.walk(dir.resolve("archive/archived-files"))) {
      copy = s.filter(p -> p.toString().endsWith("/dt=2026-11-02/a.bin")).findFirst().orElseThrow();
    }
    byte[] damaged = original.clone();
    damaged[5] ^= 1;
    Files.write(copy, damaged);

    String out = Cli.expect(0, "restore", args);
    assertTrue(out.contains("1 from the recycle bin"), out);
    assertArrayEquals(original, Files.readAllBytes(lake.resolve("dt=2026-11-02/a.bin")));

    // once purged, the restore reads the archive, whose damaged copy never lands
    Files.delete(lake.resolve("dt=2026-11-02/a.bin"));
    Cli.expect(0, "purge", purgeArgs(), "--olderThanDays=0");
    out = Cli.expect(3, "restore", args);
    assertTrue(out.contains("the archived copy of dt=2026-11-02/a.bin no longer matches its file list"), out);
    assertFalse(Files.exists(lake.resolve("dt=2026-11-02/a.bin")), "a copy with other bytes never lands");
    Files.write(copy, original);
    assertTrue(Cli.expect(0, "restore", args).contains("files written: 1"));
    assertArrayEquals(original, Files.readAllBytes(lake.resolve("dt=2026-11-02/a.bin")));
  }

  @Test
  void filesIntoATableAndRowsIntoALocationAreRefused() throws Exception {
    someFiles();
    Cli.expect(0, "archive", args);
    String out = Cli.expect(5, "restore", args, "--targetTable=events");
    assertTrue(out.contains("holds files") && out.contains("--targetTable=events") && out.contains("--targetLocation"), out);
    List<String> rows = new ArrayList<>(args);
    rows.set(0, "--tableSpec=" + Path.of("pipelines/assessment.yaml").toAbsolutePath());
    out = Cli.expect(5, "restore", rows, "--targetLocation=" + dir.resolve("x"));
    assertTrue(out.contains("holds rows") && out.contains("--targetLocation=" + dir.resolve("x")), out);
    String inside = Cli.expect(2, "restore", args, "--targetLocation=" + dir.resolve("archive/back"));
    assertTrue(inside.contains("lie inside one another"), inside);
  }
}
