package org.beamarchiver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.H2Ledgers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Launches of several jobs: several tables (a folder or a comma list of specs), each its own job,
 * in parallel, the exit code the worst; and a table with lifecycles, a job per storage, its
 * lifecycles in their order, a failed one keeping the later orders from starting.
 */
class LaunchIT {
  @TempDir Path dir;
  List<String> common;

  @BeforeEach
  void setUp() throws IOException {
    Files.writeString(dir.resolve("k"), "launch-it key, long enough\n");
    common =
        List.of(
            "--period=ALL", "--asOf=2026-12-03T10:00:00Z", "--archiveRoot=" + dir.resolve("archive"),
            "--ledgerUrl=jdbc:h2:file:" + dir.resolve("ledger"), "--signingKeyFile=" + dir.resolve("k"));
  }

  @AfterEach
  void closeLedger() {
    H2Ledgers.shutdown("jdbc:h2:file:" + dir.resolve("ledger"));
  }

  private byte[] file(Path p, int bytes) throws IOException {
    Files.createDirectories(p.getParent());
    byte[] b = new byte[bytes];
    new Random(p.toString().hashCode()).nextBytes(b);
    Files.write(p, b);
    return b;
  }

  private Path spec(Path folder, String name, String yaml) throws IOException {
    Files.createDirectories(folder);
    Path p = folder.resolve(name);
    Files.writeString(p, yaml);
    return p;
  }

  private static String filesSpec(String type, Path location) {
    return "archiveType: " + type + "\nsource: {kind: files, location: '" + location + "', partitionDate: 'dt={date}'}\n";
  }

  private List<String> with(String tableSpec, String... more) {
    List<String> a = new ArrayList<>(common);
    a.add("--tableSpec=" + tableSpec);
    a.addAll(List.of(more));
    return a;
  }

  private static long copies(Path root) throws IOException {
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> Files.isRegularFile(p) && !p.toString().endsWith(".files.csv.gz")).count();
    }
  }

  @Test
  void severalTablesRunAsTheirOwnJobsAndTheWorstExitCodeWins() throws Exception {
    Path specs = dir.resolve("specs");
    file(dir.resolve("a/dt=2026-11-02/x.bin"), 100);
    file(dir.resolve("b/dt=2026-11-10/y.bin"), 200);
    spec(specs, "a.yaml", filesSpec("table-a", dir.resolve("a")));
    spec(specs, "b.yml", filesSpec("table-b", dir.resolve("b")));
    spec(specs, "broken.yaml", filesSpec("table-c", dir.resolve("not mounted")));
    Files.writeString(specs.resolve("notes.txt"), "not a spec\n");

    String out = Cli.expect(2, "archive", with(specs.toString()));
    assertTrue(out.contains("3 job(s) over 3 table spec(s)"), out);
    assertTrue(out.contains("== " + dir.resolve("a") + ": exit 0 =="), out);
    assertTrue(out.contains("== " + dir.resolve("not mounted") + ": exit 2 =="), out);
    assertTrue(out.contains("is not a folder here"), "the failed job's error is in its section: " + out);
    assertTrue(out.contains("exit code: 2 (the worst of the jobs')"), out);
    assertEquals(1, copies(dir.resolve("archive/archived-files/table-a")), "the good tables are archived all the same");
    assertEquals(1, copies(dir.resolve("archive/archived-files/table-b")));

    // a comma list; both already archived: each job says so, exit 0
    out = Cli.expect(0, "archive", with(specs.resolve("a.yaml") + "," + specs.resolve("b.yml")));
    assertTrue(out.contains("2 job(s) over 2 table spec(s)") && out.contains("exit code: 0"), out);
    out = Cli.expect(0, "status", with(specs.resolve("a.yaml") + "," + specs.resolve("b.yml")));
    assertTrue(out.contains("table-a") && out.contains("table-b"), out);
    out = Cli.expect(2, "report", with(specs.toString(), "--batchId=x", "--output=" + dir.resolve("r.csv")));
    assertTrue(out.contains("works on one table at a time"), out);
  }

  private Path lifecycles(Path cleaned) throws IOException {
    return spec(dir, "events.yaml",
        "archiveType: ev\n"
            + "lifecycles:\n"
            + "  - name: cleaned\n"
            + "    order: 2\n"
            + "    storages:\n"
            + "      - {name: main, source: {kind: files, location: '" + cleaned + "', partitionDate: 'dt={date}'}}\n"
            + "  - name: raw\n"
            + "    order: 1\n"
            + "    storages:\n"
            + "      - {name: old, until: 2026-11-11, source: {kind: files, location: '" + dir.resolve("raw-old")
            + "', partitionDate: 'dt={date}'}}\n"
            + "      - {name: new, from: 2026-11-11, source: {kind: files, location: '" + dir.resolve("raw-new")
            + "', partitionDate: 'dt={date}'}}\n");
  }

  @Test
  void lifecyclesRunInTheirOrderAndAFailureStopsTheLaterOnes() throws Exception {
    byte[] old45 = file(dir.resolve("raw-old/dt=2026-11-02/a.bin"), 100);
    file(dir.resolve("raw-old/dt=2026-11-09/b.bin"), 100); // the week the storage changed: the old one's part
    file(dir.resolve("raw-new/dt=2026-11-12/c.bin"), 100); // ... and the new one's
    file(dir.resolve("raw-new/dt=2026-11-17/d.bin"), 100);
    file(dir.resolve("raw-old/dt=2026-11-17/stray.bin"), 100); // after the old storage's time: not its week
    file(dir.resolve("cleaned/dt=2026-11-03/e.bin"), 100);
    Path spec = lifecycles(dir.resolve("cleaned"));

    String out = Cli.expect(0, "archive", with(spec.toString()));
    assertTrue(out.contains("3 job(s) over 1 table spec(s)"), out);
    int rawAt = out.indexOf("== " + dir.resolve("raw-old"));
    int cleanedAt = out.indexOf("== " + dir.resolve("cleaned"));
    assertTrue(rawAt >= 0 && cleanedAt > rawAt, "raw (order 1) ends before cleaned (order 2) starts: " + out);
    assertEquals(2, copies(dir.resolve("archive/archived-files/ev-raw-old")), "W45 and the old storage's part of W46");
    assertEquals(2, copies(dir.resolve("archive/archived-files/ev-raw-new")), "the new storage's part of W46, and W47");
    assertEquals(1, copies(dir.resolve("archive/archived-files/ev-cleaned-main")));
    assertTrue(Files.exists(dir.resolve("raw-old/dt=2026-11-17/stray.bin")));

    // a failure in order 1 keeps order 2 from starting
    file(dir.resolve("cleaned/dt=2026-11-10/f.bin"), 100);
    file(dir.resolve("raw-new/dt=2026-11-18/g.bin"), 100);
    Files.move(dir.resolve("raw-old"), dir.resolve("raw-old-gone"));
    out = Cli.expect(2, "archive", with(spec.toString()));
    assertEquals(3, copies(dir.resolve("archive/archived-files/ev-raw-new")), "the same order's other storage goes on");
    assertTrue(out.contains("NOT STARTED: lifecycle raw (order 1) ended with exit 2"), out);
    assertEquals(1, copies(dir.resolve("archive/archived-files/ev-cleaned-main")), "cleaned never started");

    // one lifecycle on its own runs whatever the others did
    Files.move(dir.resolve("raw-old-gone"), dir.resolve("raw-old"));
    Cli.expect(0, "archive", with(spec.toString(), "--lifecycle=cleaned"));
    assertEquals(2, copies(dir.resolve("archive/archived-files/ev-cleaned-main")));

    // restore names the lifecycle; then brings back its storages' files
    Cli.expect(0, "delete", with(spec.toString(), "--lifecycle=raw", "--storage=old"));
    assertFalse(Files.exists(dir.resolve("raw-old/dt=2026-11-02/a.bin")));
    String refused = Cli.expect(2, "restore", with(spec.toString()));
    assertTrue(refused.contains("a restore names the one it restores with --lifecycle=<name>"), refused);
    out = Cli.expect(0, "restore", with(spec.toString(), "--lifecycle=raw"));
    assertTrue(out.contains("2 job(s)"), out);
    assertArrayEquals(old45, Files.readAllBytes(dir.resolve("raw-old/dt=2026-11-02/a.bin")));
    String rows = Cli.expect(5, "restore", with(spec.toString(), "--lifecycle=raw", "--storage=new", "--targetTable=events"));
    assertTrue(rows.contains("holds files") && rows.contains("--targetTable=events"), rows);
  }

  @Test
  void thePlanOfATableWithLifecyclesListsItsStoragesInOrderWithTheirStepsAndChangesNothing() throws Exception {
    file(dir.resolve("raw-old/dt=2026-11-02/a.bin"), 100);
    file(dir.resolve("raw-new/dt=2026-11-17/d.bin"), 300);
    file(dir.resolve("cleaned/dt=2026-11-03/e.bin"), 50);
    Path spec = lifecycles(dir.resolve("cleaned"));
    Cli.expect(0, "archive", with(spec.toString(), "--lifecycle=cleaned"));
    file(dir.resolve("cleaned/dt=2026-11-04/late.bin"), 70);

    String out = Cli.expect(0, "plan", with(spec.toString()));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("plan file: (\\S+)").matcher(out);
    assertTrue(m.find(), out);
    assertTrue(m.group(1).startsWith(dir.resolve("archive/run-files/ev") + "/plan-"), "named by the table's archive type: " + m.group(1));
    com.fasterxml.jackson.databind.JsonNode plan = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Path.of(m.group(1)).toFile());
    assertEquals("beam-archiver-plan/1", plan.get("format").asText());
    List<String> order = new ArrayList<>();
    plan.get("storages").forEach(s -> order.add(s.get("lifecycle").asText() + "/" + s.get("storage").asText() + "@" + s.get("order").asInt()));
    assertEquals(List.of("raw/old@1", "raw/new@1", "cleaned/main@2"), order);
    com.fasterxml.jackson.databind.JsonNode old = plan.get("storages").get(0).get("partitions").get(0);
    assertEquals("2026-W45", old.get("week").asText());
    assertEquals("ARCHIVE", old.get("action").asText());
    assertEquals(100, old.get("bytes").asLong());
    com.fasterxml.jackson.databind.JsonNode cleaned = plan.get("storages").get(2).get("partitions").get(0);
    assertEquals("NEXT_ITERATION", cleaned.get("action").asText(), cleaned.toString());
    assertEquals(2, cleaned.get("files").asLong());
    assertEquals(1, cleaned.get("newFiles").asLong());
    List<String> steps = new ArrayList<>();
    plan.get("storages").get(0).get("steps").forEach(x -> steps.add(x.asText()));
    assertTrue(steps.get(0).startsWith("archive 1:") && steps.get(steps.size() - 1).startsWith("delete 6:"), steps.toString());
    assertTrue(steps.stream().anyMatch(x -> x.contains("[recycled]")) && steps.indexOf(steps.stream().filter(x -> x.contains("[recycled]")).findFirst().get())
        < steps.indexOf(steps.stream().filter(x -> x.contains("[removed]")).findFirst().get()), "recycle before removal: " + steps);
    // a dry run: only the cleaned lifecycle's earlier archive exists
    assertEquals(0, copies(dir.resolve("archive/archived-files/ev-raw-old")));
    assertEquals(0, copies(dir.resolve("archive/archived-files/ev-raw-new")));
    assertEquals(1, copies(dir.resolve("archive/archived-files/ev-cleaned-main")));
    assertFalse(Files.exists(dir.resolve("archive/_tmp")) && copies(dir.resolve("archive/_tmp")) > 0, "no temporary files left");
  }

  /** A storage retired (and unmounted) before the request's weeks is not needed: the launch goes on without it. */
  @Test
  void aRetiredStorageThatIsGoneDoesNotStopALaunchThatDoesNotNeedIt() throws Exception {
    file(dir.resolve("raw-new/dt=2026-11-24/x.bin"), 100); // 2026-W48, the last complete week at asOf
    file(dir.resolve("cleaned/dt=2026-11-25/y.bin"), 100);
    Path spec = lifecycles(dir.resolve("cleaned")); // raw-old (until 2026-11-11) does not exist at all
    List<String> lastWeek = new ArrayList<>(with(spec.toString()));
    lastWeek.replaceAll(a -> a.equals("--period=ALL") ? "--period=LAST_WEEK" : a);

    String out = Cli.expect(0, "archive", lastWeek);
    assertTrue(out.contains("exit code: 0"), out);
    assertEquals(1, copies(dir.resolve("archive/archived-files/ev-raw-new")));
    assertEquals(1, copies(dir.resolve("archive/archived-files/ev-cleaned-main")));
    Cli.expect(0, "plan", lastWeek);
    Cli.expect(0, "delete", lastWeek);
    // a request that reaches into the retired storage's weeks still refuses its missing folder
    String all = Cli.expect(2, "archive", with(spec.toString()));
    assertTrue(all.contains("is not a folder here") && all.contains("NOT STARTED"), all);
  }
}
