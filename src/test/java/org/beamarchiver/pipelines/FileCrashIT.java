package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.beamarchiver.retry.Crash;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.H2Ledgers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A files table's archive and delete (through a recycle bin) killed at each point between their
 * ordered steps (copied, listed, recorded, signing; pending, recycled, removed), the way kill -9
 * does, then run again: the rerun ends with exit 0 and leaves what an uninterrupted run leaves:
 * every file of a complete week archived once and verified, every archived file removed from the
 * source and held byte for byte in the recycle bin, nothing else touched, no stray copies.
 */
class FileCrashIT {
  @TempDir Path dir;
  Path lake;
  Path bin;
  List<String> args;
  Map<String, byte[]> archivable = new TreeMap<>();

  @BeforeEach
  void setUp() throws IOException {
    lake = dir.resolve("lake");
    bin = dir.resolve("bin");
    Path spec = dir.resolve("t.yaml");
    Files.writeString(spec, "archiveType: logs\nsource: {kind: files, location: '" + lake + "', partitionDate: 'dt={date}'}\n");
    Files.writeString(dir.resolve("k"), "file-crash-it key, long enough\n");
    args =
        List.of(
            "--tableSpec=" + spec, "--period=ALL", "--asOf=2026-12-03T10:00:00Z", "--archiveRoot=" + dir.resolve("archive"),
            "--ledgerUrl=jdbc:h2:file:" + dir.resolve("ledger"), "--signingKeyFile=" + dir.resolve("k"), "--leaseSeconds=5");
    String[] days = {"2026-11-02", "2026-11-04", "2026-11-10", "2026-11-12", "2026-11-17", "2026-11-19"};
    for (int i = 0; i < days.length; i++) {
      archivable.put("dt=" + days[i] + "/part " + i + ".bin", file("dt=" + days[i] + "/part " + i + ".bin", 50_000 + i));
    }
    file("dt=2026-12-01/current.bin", 100);
  }

  @AfterEach
  void closeLedger() {
    H2Ledgers.shutdown("jdbc:h2:file:" + dir.resolve("ledger"));
  }

  private byte[] file(String relative, int bytes) throws IOException {
    Path p = lake.resolve(relative);
    Files.createDirectories(p.getParent());
    byte[] b = new byte[bytes];
    new Random(relative.hashCode()).nextBytes(b);
    Files.write(p, b);
    return b;
  }

  /** The command in a JVM of its own that halts at {@code point}; returns its exit code. */
  private int crashed(String command, String point, String... extra) throws Exception {
    H2Ledgers.shutdown("jdbc:h2:file:" + dir.resolve("ledger")); // the other JVM opens the file
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-D" + Crash.PROPERTY + "=" + point);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.beamarchiver.cli.Main");
    cmd.add(command);
    cmd.addAll(args);
    cmd.addAll(List.of(extra));
    Path log = dir.resolve(command + "-" + point.replace(':', '-') + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the crashed run ended");
    String out = Files.readString(log);
    assertTrue(out.contains("crash point " + point.split(":")[0] + " reached"), "it reached " + point + ": " + out);
    return p.exitValue();
  }

  private long under(Path root, String suffix) throws IOException {
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> Files.isRegularFile(p) && p.toString().endsWith(suffix)).count();
    }
  }

  private void assertArchivedOnceAndVerified() throws Exception {
    String verify = Cli.expect(0, "verify", args);
    assertTrue(verify.contains("checked: 3 OK"), verify);
    Path copies = dir.resolve("archive/archived-files/logs");
    assertEquals(3, under(copies, ".files.csv.gz"), "one list per complete week");
    assertEquals(archivable.size(), under(copies, ".bin"), "each file copied once, no stray copies");
    assertEquals(0, under(copies, "") - under(copies, ".bin") - under(copies, ".files.csv.gz"), "no half-made copy left");
  }

  @ParameterizedTest
  @ValueSource(strings = {"copied:2", "listed:1", "recorded:1", "signing"})
  void anArchiveKilledAtEachStepIsFinishedByTheNextRun(String point) throws Exception {
    assertEquals(137, crashed("archive", point));
    String rerun = Cli.expect(0, "archive", args);
    assertTrue(rerun.contains("0 failed"), rerun);
    assertArchivedOnceAndVerified();
    assertTrue(Cli.expect(0, "delete", args).contains("files: 6 deleted"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"pending:1", "recycled:2", "removed:2", "removed:6"})
  void aRecyclingDeleteKilledAtEachStepIsFinishedByTheNextRun(String point) throws Exception {
    Cli.expect(0, "archive", args);
    assertEquals(137, crashed("delete", point, "--recycleRoot=" + bin));
    for (Map.Entry<String, byte[]> e : archivable.entrySet()) {
      Path source = lake.resolve(e.getKey());
      assertTrue(Files.exists(source) || under(bin, "/" + e.getKey().substring(e.getKey().indexOf('/') + 1)) == 1,
          "killed at " + point + ": a file gone from the source is in the bin: " + e.getKey());
    }
    String rerun = Cli.expect(0, "delete", args, "--recycleRoot=" + bin);
    assertTrue(rerun.contains("0 FAILED"), rerun);
    for (Map.Entry<String, byte[]> e : archivable.entrySet()) {
      assertFalse(Files.exists(lake.resolve(e.getKey())), e.getKey());
      try (Stream<Path> s = Files.walk(bin)) {
        Path inBin = s.filter(p -> p.toString().endsWith("/" + e.getKey())).findFirst().orElseThrow();
        assertArrayEquals(e.getValue(), Files.readAllBytes(inBin), "in the bin as archived: " + e.getKey());
      }
    }
    assertEquals(archivable.size(), under(bin, ".bin"), "each file in the bin once, no half-made copy");
    assertEquals(0, under(bin, "") - under(bin, ".bin"));
    assertTrue(Files.exists(lake.resolve("dt=2026-12-01/current.bin")), "the current week is never touched");
    assertArchivedOnceAndVerified();
  }

  /** A restore killed while it puts files back: the rerun brings every file back as archived; a half-made copy is never taken for a file of the table. */
  @Test
  void aRestoreKilledMidWayIsFinishedByTheNextRunAndItsPartialCopiesAreNeverArchived() throws Exception {
    Cli.expect(0, "archive", args);
    Cli.expect(0, "delete", args);
    assertEquals(137, crashed("restore", "restored:2"));
    String rerun = Cli.expect(0, "restore", args);
    assertTrue(rerun.contains("0 FAILED"), rerun);
    for (Map.Entry<String, byte[]> e : archivable.entrySet()) {
      assertArrayEquals(e.getValue(), Files.readAllBytes(lake.resolve(e.getKey())), e.getKey());
    }
    // whatever a killed copy left beside its file is a dead letter, never a file of the table
    Files.write(lake.resolve("dt=2026-11-02/part 0.bin.copying-0f2b7a3c-1d2e-4f5a-8b9c-0d1e2f3a4b5c"), new byte[] {1, 2});
    long partial;
    try (Stream<Path> s = Files.walk(lake)) {
      partial = s.filter(p -> org.beamarchiver.io.files.FileCopies.isPartialCopy(p.toString())).count();
    }
    String again = Cli.expect(0, "archive", args);
    assertTrue(again.contains("0 written") && again.contains(partial + " dead letters"), partial + ": " + again);
    assertArchivedOnceAndVerified();
  }
}
