package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.FilesTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verified delete of a files table, trying to break it: only files whose size, modification
 * time and SHA-256 still equal their archived copy's are removed from the source; a file rewritten
 * since (even with its old time put back) stays; a damaged copy keeps its file; a damaged file list
 * keeps its whole partition; files outside every archive are never touched; a dry run removes
 * nothing.
 */
class FileDeleteIT {
  @TempDir Path dir;
  FilesTable table;
  Path lake;
  List<String> args;

  @BeforeEach
  void setUp() throws IOException {
    table = new FilesTable(dir, "file-delete-it key, long enough");
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


  private Path file(String relative, int bytes) throws IOException {
    return table.file(relative, bytes);
  }

  private Path copyOf(String relative) throws IOException {
    try (Stream<Path> s = Files.walk(dir.resolve("archive/archived-files"))) {
      return s.filter(p -> p.toString().endsWith("/" + relative)).findFirst().orElseThrow();
    }
  }

  @Test
  void onlyFilesStillAsArchivedAreRemoved() throws Exception {
    Path same = file("dt=2026-11-02/same.bin", 1_000);
    Path rewritten = file("dt=2026-11-02/rewritten.bin", 1_000);
    Path sneaky = file("dt=2026-11-03/sneaky.bin", 1_000);
    Path gone = file("dt=2026-11-03/gone.bin", 1_000);
    Path other = file("dt=2026-11-10/other week.bin", 10);
    Path current = file("dt=2026-11-30/current.bin", 10);
    Path undated = file("misc/undated.bin", 10);
    Cli.expect(0, "archive", args);

    // after the archive: one file rewritten, one rewritten with its old time put back, one removed
    FileTime sneakyTime = Files.getLastModifiedTime(sneaky);
    Files.write(rewritten, new byte[1_000]);
    Files.setLastModifiedTime(rewritten, FileTime.fromMillis(Files.getLastModifiedTime(rewritten).toMillis() + 5_000));
    byte[] s = Files.readAllBytes(sneaky);
    s[7] ^= 1;
    Files.write(sneaky, s);
    Files.setLastModifiedTime(sneaky, sneakyTime);
    Files.delete(gone);

    String dry = Cli.expect(0, "delete", args, "--dryRun=true");
    assertTrue(dry.contains("files: 2 would be deleted, 2 skipped as changed, 1 absent"), dry);
    assertTrue(Files.exists(same) && Files.exists(other), "a dry run removes nothing");

    String out = Cli.expect(0, "delete", args);
    assertTrue(out.contains("partitions: 2, 0 not verified, 0 FAILED; files: 2 deleted, 2 skipped as changed, 1 absent"), out);
    assertFalse(Files.exists(same));
    assertFalse(Files.exists(other));
    assertTrue(Files.exists(rewritten) && Files.exists(sneaky), "files changed since the archive stay");
    assertArrayEquals(s, Files.readAllBytes(sneaky));
    assertTrue(Files.exists(current) && Files.exists(undated), "files in no archive are never touched");
    // the copies stay, and a rerun has nothing left to do
    assertTrue(Files.exists(copyOf("dt=2026-11-02/same.bin")));
    assertTrue(Cli.expect(0, "delete", args).contains("nothing to delete"));
  }

  /** A file that arrives in a week already archived and deleted: its next iteration keeps the deleted files' copies. */
  @Test
  void aLateFileInADeletedWeekIsArchivedWithTheDeletedOnesAndThenDeleted() throws Exception {
    Path a = file("dt=2026-11-02/a.bin", 100);
    byte[] aBytes = Files.readAllBytes(a);
    Cli.expect(0, "archive", args);
    Cli.expect(0, "delete", args);
    assertFalse(Files.exists(a));
    Path late = file("dt=2026-11-03/late.bin", 200);

    String out = Cli.expect(0, "archive", args);
    assertTrue(out.contains("1 written") && out.contains("1 carried over from earlier copies"), out);
    assertArrayEquals(aBytes, Files.readAllBytes(copyOf("dt=2026-11-02/a.bin")), "the deleted file's copy survives the new iteration");
    assertTrue(Cli.expect(0, "verify", args).contains("checked: 1 OK"));
    out = Cli.expect(0, "delete", args);
    assertTrue(out.contains("files: 1 deleted, 0 skipped as changed, 1 absent"), out);
    assertFalse(Files.exists(late));
    assertTrue(Files.exists(copyOf("dt=2026-11-03/late.bin")));
  }

  @Test
  void aDamagedCopyKeepsItsFileAndADamagedListItsPartition() throws Exception {
    Path a = file("dt=2026-11-02/a.bin", 1_000);
    Path b = file("dt=2026-11-02/b.bin", 1_000);
    Path c = file("dt=2026-11-10/c.bin", 1_000);
    Cli.expect(0, "archive", args);
    Path copy = copyOf("dt=2026-11-02/a.bin");
    byte[] bytes = Files.readAllBytes(copy);
    bytes[0] ^= 1;
    Files.write(copy, bytes);
    Path list;
    try (Stream<Path> s = Files.walk(dir.resolve("archive/archived-files"))) {
      list = s.filter(p -> p.toString().contains("-2026-46-") && p.toString().endsWith(".files.csv.gz")).findFirst().orElseThrow();
    }
    Files.write(list, new byte[] {31, -117, 8, 0}); // no longer the list the ledger recorded

    String out = Cli.expect(3, "delete", args);
    assertTrue(out.contains("the copy of dt=2026-11-02/a.bin no longer matches its file list"), out);
    assertTrue(Files.exists(a), "a file whose copy is damaged stays");
    assertFalse(Files.exists(b), "its sibling with a good copy goes");
    assertTrue(Files.exists(c), "a partition whose list is damaged is not touched");
  }

  private static List<Path> filesUnder(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /** Recycle: each file is in its archive and, verified, in the bin before it leaves the source; purge empties the bin later. */
  @Test
  void recycledFilesAreInTheBinBeforeTheyLeaveAndPurgeEmptiesItLater() throws Exception {
    Path a = file("dt=2026-11-02/a b.bin", 3_000);
    Path changed = file("dt=2026-11-02/changed.bin", 3_000);
    Path c = file("dt=2026-11-10/ünï/c.bin", 2_000);
    byte[] aBytes = Files.readAllBytes(a);
    byte[] cBytes = Files.readAllBytes(c);
    Cli.expect(0, "archive", args);
    Files.write(changed, new byte[3_000]);
    Path bin = dir.resolve("bin");

    String out = Cli.expect(0, "delete", args, "--recycleRoot=" + bin);
    assertTrue(out.contains("files: 2 deleted, 1 skipped as changed, 0 absent"), out);
    assertFalse(Files.exists(a) || Files.exists(c));
    assertTrue(Files.exists(changed), "a changed file is neither recycled nor removed");
    List<Path> recycled = filesUnder(bin);
    assertEquals(2, recycled.size(), recycled.toString());
    Path aInBin = recycled.stream().filter(p -> p.endsWith("dt=2026-11-02/a b.bin")).findFirst().orElseThrow();
    Path cInBin = recycled.stream().filter(p -> p.endsWith("dt=2026-11-10/ünï/c.bin")).findFirst().orElseThrow();
    assertArrayEquals(aBytes, Files.readAllBytes(aInBin));
    assertArrayEquals(cBytes, Files.readAllBytes(cInBin));
    assertTrue(aInBin.startsWith(bin.resolve("logs")), "the bin holds a folder per table: " + aInBin);

    // purge: nothing is a day old yet; a dry run lists and keeps; --olderThanDays=0 empties the bin
    assertTrue(Cli.expect(0, "purge", purgeArgs(), "--olderThanDays=1").contains("nothing to purge"));
    String dry = Cli.expect(0, "purge", purgeArgs(), "--olderThanDays=0", "--dryRun=true");
    assertTrue(dry.contains("folders: 2, 0 FAILED; files that would go: 2"), dry);
    assertEquals(2, filesUnder(bin).size());
    String purged = Cli.expect(0, "purge", purgeArgs(), "--olderThanDays=0");
    assertTrue(purged.contains("folders: 2, 0 FAILED; files removed: 2"), purged);
    assertTrue(filesUnder(bin).isEmpty());
    assertTrue(Cli.expect(0, "purge", purgeArgs(), "--olderThanDays=0").contains("nothing to purge"), "recorded purged in the ledger");
    // the archive is untouched by either: verify reads every copy
    assertTrue(Cli.expect(0, "verify", args).contains("checked: 2 OK"));
  }

  /** A bin that cannot take the files: nothing leaves the source. */
  @Test
  void aFileThatCannotBeRecycledStaysAtTheSource() throws Exception {
    Path a = file("dt=2026-11-02/a.bin", 1_000);
    Cli.expect(0, "archive", args);
    Path bin = dir.resolve("bin");
    Files.createDirectories(bin);
    Files.writeString(bin.resolve("logs"), "a file where the table's folder of the bin would go\n");

    String out = Cli.expect(3, "delete", args, "--recycleRoot=" + bin, "--maxOutageSeconds=1");
    assertTrue(out.contains("FAILED"), out);
    assertTrue(Files.exists(a), "a file not in the bin stays at the source");
  }

  @Test
  void aRecycleRootThatOverlapsTheTableOrTheArchiveOrServesRowsIsRefused() throws Exception {
    file("dt=2026-11-02/a.bin", 100);
    Cli.expect(0, "archive", args);
    String in = Cli.expect(2, "delete", args, "--recycleRoot=" + lake.resolve("bin"));
    assertTrue(in.contains("--recycleRoot") && in.contains("lie inside one another"), in);
    String archive = Cli.expect(2, "delete", args, "--recycleRoot=" + dir.resolve("archive/bin"));
    assertTrue(archive.contains("--archiveRoot"), archive);
    assertTrue(Files.exists(lake.resolve("dt=2026-11-02/a.bin")));
    List<String> rows = new java.util.ArrayList<>(args);
    rows.set(0, "--tableSpec=" + Path.of("pipelines/assessment.yaml").toAbsolutePath());
    String r = Cli.expect(2, "delete", rows, "--recycleRoot=" + dir.resolve("bin"));
    assertTrue(r.contains("--recycleRoot applies to files tables only"), r);
    String p = Cli.expect(2, "purge", rows.stream().filter(a -> !a.startsWith("--period=") && !a.startsWith("--asOf=")).toList(), "--olderThanDays=0");
    assertTrue(p.contains("is a table of rows"), p);
    assertTrue(Cli.expect(2, "purge", purgeArgs()).contains("--olderThanDays=<days> is required"));
  }
}
