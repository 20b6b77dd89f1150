package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.beamarchiver.io.files.FileLists;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.H2Ledgers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive of a files table, end to end through the CLI on local folders and an H2 ledger: the
 * complete weeks' files copied byte for byte under the archive root with a signed file list per
 * partition, files without a date listed as dead letters, a rerun copying nothing, a file that
 * appears in an archived week archived as its partition's next iteration (with a file deleted
 * from the source since carried over from the earlier copy), and unsafe configurations refused
 * before anything changes.
 */
class FileArchiveIT {
  static final String AS_OF = "--asOf=2026-12-03T10:00:00Z"; // week 2026-W49 unfinished

  @TempDir Path dir;
  Path lake;
  Path root;
  List<String> args;

  @BeforeEach
  void setUp() throws IOException {
    lake = dir.resolve("lake/events");
    root = dir.resolve("archive");
    Files.writeString(dir.resolve("signing.key"), "file-archive-it key, long enough\n");
    args =
        List.of(
            "--tableSpec=" + spec("dt={date}", lake), "--period=ALL", AS_OF, "--archiveRoot=" + root,
            "--ledgerUrl=jdbc:h2:file:" + dir.resolve("ledger"), "--signingKeyFile=" + dir.resolve("signing.key"));
  }
  @AfterEach
  void closeLedger() {
    H2Ledgers.shutdown("jdbc:h2:file:" + dir.resolve("ledger"));
  }


  private String spec(String partitionDate, Path location) throws IOException {
    Path spec = dir.resolve("events-" + Math.abs((partitionDate + location).hashCode()) + ".yaml");
    Files.writeString(
        spec,
        "archiveType: events\nsource: {kind: files, location: '" + location + "', partitionDate: '" + partitionDate + "'}\n");
    return spec.toString();
  }

  private Path file(String relative, int bytes) throws IOException {
    Path p = lake.resolve(relative);
    Files.createDirectories(p.getParent());
    byte[] b = new byte[bytes];
    new Random(relative.hashCode()).nextBytes(b);
    Files.write(p, b);
    return p;
  }

  private List<Path> under(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private Path copyOf(String relative) throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path p : under(root.resolve("archived-files/events"))) {
      if (p.toString().endsWith("/" + relative)) {
        found.add(p);
      }
    }
    assertEquals(1, found.size(), relative + " copied once: " + found);
    return found.get(0);
  }

  @Test
  void completeWeeksAreCopiedListedAndSignedAndARerunCopiesNothing() throws Exception {
    file("dt=2026-11-02/part-0.bin", 300_000);
    file("dt=2026-11-08/part 1 é.bin", 1_000); // Sunday: still week 45
    file("dt=2026-11-09/批次/x y.csv", 50); // week 46, a deeper segment
    file("dt=2026-11-30/current.bin", 10); // week 49: not ended, left alone
    file("misc/no-date.txt", 5);
    file("dt=2026-02-30/impossible.txt", 5);

    String out = Cli.expect(0, "archive", args);
    assertTrue(out.contains("2 written, 0 failed"), out);
    assertTrue(out.contains("6 listed, 3 copied (301050 bytes)"), out);
    assertTrue(out.contains("1 outside the request"), out);
    assertTrue(out.contains("2 dead letters"), out);
    for (String f : List.of("dt=2026-11-02/part-0.bin", "dt=2026-11-08/part 1 é.bin", "dt=2026-11-09/批次/x y.csv")) {
      assertArrayEquals(Files.readAllBytes(lake.resolve(f)), Files.readAllBytes(copyOf(f)), f);
    }
    List<Path> lists =
        under(root.resolve("archived-files/events")).stream().filter(p -> p.toString().endsWith(".files.csv.gz")).toList();
    assertEquals(2, lists.size(), lists.toString());
    List<FileLists.Line> w45 = FileLists.read(lists.get(0).toString()).lines();
    assertEquals(List.of("dt=2026-11-02/part-0.bin", "dt=2026-11-08/part 1 é.bin"), w45.stream().map(FileLists.Line::path).toList());
    assertEquals(300_000, w45.get(0).bytes());
    assertEquals(Files.getLastModifiedTime(lake.resolve("dt=2026-11-02/part-0.bin")).toMillis(), w45.get(0).modifiedMillis());
    String dead = Files.readString(under(root.resolve("dead-letters/events")).get(0));
    assertTrue(dead.contains("no path segment is of the form dt={date}") && dead.contains("no-date.txt"), dead);
    assertTrue(dead.contains("does not hold a real date") && dead.contains("impossible.txt"), dead);
    assertTrue(under(root.resolve("archived-files/events")).stream().noneMatch(p -> p.toString().contains("current.bin")));

    assertTrue(Cli.expect(0, "verify", args).contains("checked: 2 OK"));
    String again = Cli.expect(0, "archive", args);
    assertTrue(again.contains("0 written, 0 failed, 2 already archived and unchanged"), again);
    assertTrue(again.contains("0 copied (0 bytes)"), again);
    // the source is untouched
    assertTrue(Files.exists(lake.resolve("dt=2026-11-02/part-0.bin")));
  }

  @Test
  void aFileThatAppearsInAnArchivedWeekIsArchivedAsItsNextIteration() throws Exception {
    file("dt=2026-11-02/a.bin", 100);
    Path gone = file("dt=2026-11-03/b.bin", 200);
    file("dt=2026-11-10/c.bin", 300);
    Cli.expect(0, "archive", args);
    byte[] goneBytes = Files.readAllBytes(gone);
    Files.delete(gone); // removed from the source since (as a delete would)
    file("dt=2026-11-04/late.bin", 400);

    String out = Cli.expect(0, "archive", args);
    assertTrue(out.contains("1 written, 0 failed, 1 already archived and unchanged"), out);
    assertTrue(out.contains("1 carried over from earlier copies"), out);
    List<Path> lists =
        under(root.resolve("archived-files/events")).stream().filter(p -> p.toString().contains("-2026-45-") && p.toString().endsWith(".files.csv.gz")).toList();
    assertEquals(1, lists.size(), "the superseded list is removed: " + lists);
    assertEquals(
        List.of("dt=2026-11-02/a.bin", "dt=2026-11-03/b.bin", "dt=2026-11-04/late.bin"),
        FileLists.read(lists.get(0).toString()).lines().stream().map(FileLists.Line::path).toList());
    // the new iteration is self-contained, and the superseded one's copies are gone with its list
    assertArrayEquals(goneBytes, Files.readAllBytes(copyOf("dt=2026-11-03/b.bin")));
    copyOf("dt=2026-11-02/a.bin");
    String status = Cli.expect(0, "status", args);
    assertTrue(status.matches("(?s).*files\\s+2026-W45\\s+SUCCESS\\s+2\\s+3.*"), status);
    assertTrue(Cli.expect(0, "verify", args).contains("checked: 2 OK"));
  }

  @Test
  void verifyReadsEveryCopyAgainstItsList() throws Exception {
    file("dt=2026-11-02/a.bin", 1_000);
    file("dt=2026-11-10/b.bin", 1_000);
    file("dt=2026-11-10/c.bin", 1_000);
    Cli.expect(0, "archive", args);
    Path a = copyOf("dt=2026-11-02/a.bin");
    byte[] bytes = Files.readAllBytes(a);
    bytes[500] ^= 1; // same size, one bit changed
    Files.write(a, bytes);
    Files.delete(copyOf("dt=2026-11-10/c.bin"));
    String out = Cli.expect(6, "verify", args);
    assertTrue(out.contains("CHECKSUM_MISMATCH") && out.contains("1 of 1 copies fail; the first: the copy of dt=2026-11-02/a.bin has 1000 bytes"), out);
    assertTrue(out.contains("MISSING") && out.contains("1 of 2 copies fail; the first: the copy of dt=2026-11-10/c.bin is missing"), out);
  }

  /** The shipped jar, in a JVM whose heap is smaller than the file it copies. */
  @Test
  void aFileLargerThanTheHeapIsStreamed() throws Exception {
    Path big = lake.resolve("dt=2026-11-02/big.bin");
    Files.createDirectories(big.getParent());
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(200L << 20);
      f.seek(123_456_789);
      f.write("not only zeros".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    List<String> command =
        new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx160m",
            "-jar", Path.of("target/beam-archiver.jar").toAbsolutePath().toString(), "archive"));
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("1 copied (209715200 bytes)"), out);
    Path copy = copyOf("dt=2026-11-02/big.bin");
    assertEquals(org.beamarchiver.io.files.FileCopies.read(big.toString()), org.beamarchiver.io.files.FileCopies.read(copy.toString()));
  }

  @Test
  void filesAreDatedByTheirModificationTimeWhenTheSpecSaysSo() throws Exception {
    Path a = file("flat/a.log", 10);
    Path b = file("flat/b.log", 10);
    Path now = file("flat/now.log", 10);
    Files.setLastModifiedTime(a, FileTime.from(Instant.parse("2026-11-15T23:59:59Z"))); // W46
    Files.setLastModifiedTime(b, FileTime.from(Instant.parse("2026-11-16T00:00:00Z"))); // W47
    Files.setLastModifiedTime(now, FileTime.from(Instant.parse("2026-12-01T00:00:00Z"))); // W49
    List<String> modified = new ArrayList<>(args);
    modified.set(0, "--tableSpec=" + spec("modified", lake.resolve("flat")));
    String out = Cli.expect(0, "archive", modified);
    assertTrue(
        out.matches("(?s).*files\\s+2026-W46\\s+SUCCESS\\s+1 .*") && out.matches("(?s).*files\\s+2026-W47\\s+SUCCESS\\s+1 .*")
            && !out.matches("(?s).*files\\s+2026-W49.*"),
        out);
    assertTrue(out.contains("2 written") && out.contains("1 outside the request"), out);
  }

  @Test
  void unsafeOrRowOnlyConfigurationsAreRefusedBeforeAnythingChanges() throws Exception {
    file("dt=2026-11-02/a.bin", 10);
    List<String> inside = new ArrayList<>(args);
    inside.set(3, "--archiveRoot=" + lake.resolve("archive"));
    String out = Cli.expect(2, "archive", inside);
    assertTrue(out.contains("lie inside one another"), out);
    out = Cli.expect(2, "archive", args, "--format=PARQUET");
    assertTrue(out.contains("--format: a files table's files are copied as they are"), out);
    List<String> missing = new ArrayList<>(args);
    missing.set(0, "--tableSpec=" + spec("dt={date}", dir.resolve("not-mounted")));
    out = Cli.expect(2, "archive", missing);
    assertTrue(out.contains("source.location " + dir.resolve("not-mounted") + " is not a folder here"), out);
    out = Cli.expect(2, "delete", missing);
    assertTrue(out.contains("is not a folder here"), out);
    out = Cli.expect(2, "report", args, "--batchId=files", "--output=" + dir.resolve("report.csv"));
    assertTrue(out.contains("has source.kind files"), out);
    assertFalse(Files.exists(root), "nothing written");
    assertEquals(List.of(lake.resolve("dt=2026-11-02/a.bin")), under(lake));
  }
}
