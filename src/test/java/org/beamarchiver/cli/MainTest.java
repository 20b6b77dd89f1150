package org.beamarchiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors: named, with the valid choices, exit code 2, nothing touched. */
class MainTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void noCommandPrintsUsage() {
    Result r = run();
    assertEquals(2, r.code());
    assertTrue(r.err().contains("commands:") && r.err().contains("archive"), r.err());
  }

  @Test
  void unknownCommandNamesTheValidOnes() {
    Result r = run("archiv");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown command 'archiv'; valid commands: archive"), r.err());
  }

  @Test
  void unknownOptionNamesItAndListsTheValidOnes() {
    Result r = run("archive", "--perod=ALL");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("perod"), r.err());
    assertTrue(r.err().contains("--period") && r.err().contains("--archiveRoot"), r.err());
  }

  @Test
  void badPeriodNamesTheAllowedValues() {
    Result r = run("archive", "--period=LAST_MONTH");
    assertEquals(2, r.code());
    assertTrue(
        r.err().contains("--period=LAST_MONTH is not valid; allowed: LAST_WEEK, LAST_N_WEEKS, DATE, ALL"),
        r.err());
  }

  @Test
  void badDateAndMissingWeeksAreNamed() {
    Result r = run("archive", "--period=DATE", "--date=2021-13-01");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--date=2021-13-01 is not a date; expected YYYY-MM-DD"), r.err());
    r = run("archive", "--period=LAST_N_WEEKS");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--weeks must be"), r.err());
    r = run("archive", "--period=ALL", "--asOf=yesterday");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--asOf=yesterday is not an instant"), r.err());
  }

  @Test
  void badShuffleFormatAndGzipLevelAreNamed() {
    Result r = run("archive", "--shuffle=MAGIC");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--shuffle=MAGIC is not valid; allowed: AUTO, RUNNER, SPILL"), r.err());
    r = run("archive", "--format=ORC");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--format=ORC is not valid; allowed: CSV_GZ, PARQUET"), r.err());
    r = run("archive", "--gzipLevel=11");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--gzipLevel=11 is out of range; allowed 1..9"), r.err());
  }

  @Test
  void aBadNumberOrBooleanNamesItsOption() {
    Result r = run("delete", "--deleteConcurrency=abc");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: --deleteConcurrency=abc: "), r.err());
    r = run("archive", "--period=ALL", "--maxOutageSeconds=1.5");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: --maxOutageSeconds=1.5: "), r.err());
    // An unknown option keeps Beam's own message, which names it and the valid ones.
    r = run("archive", "--perod=ALL");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("perod") && !r.err().startsWith("error: --perod=ALL: "), r.err());
  }

  @Test
  void aPlanKeepsItsFormat() throws Exception {
    Path plan = dir.resolve("plan.json");
    new org.beamarchiver.control.RunFile(
            org.beamarchiver.control.RunFile.FORMAT, "sunbird_courses", "sunbird_courses.assessment_aggregator",
            "assessment", java.time.Instant.parse("2021-01-13T00:00:00Z"), "test", true, 7L,
            new org.beamarchiver.control.RunFile.Request("ALL", null, null, "2021-01-13T00:00:00Z", null, "-..-"),
            false,
            List.of(
                new org.beamarchiver.control.RunFile.Partition(
                    "b1", "2021-W01", 3L, "ARCHIVE", 1, "/a/archived-batches/assessment/b1-2021-01-7.parquet", null,
                    List.of())),
            List.of(), List.of(), List.of())
        .write(plan.toString());
    Result r = run("archive", "--plan=" + plan, "--format=CSV_GZ");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--format=CSV_GZ differs from the plan's files (PARQUET)"), r.err());
  }

  @Test
  void objectStoreClientsDefaultToTheCompatibleFactories() {
    org.beamarchiver.options.ArchiveOptions o = Main.parse(org.beamarchiver.options.ArchiveOptions.class, List.of());
    assertEquals(
        org.beamarchiver.io.store.AzureBlobClientFactory.class,
        o.as(org.apache.beam.sdk.io.azure.options.BlobstoreOptions.class).getBlobstoreClientFactoryClass());
    assertEquals(
        org.beamarchiver.io.store.S3CompatibleClientFactory.class,
        o.as(org.apache.beam.sdk.io.aws2.options.S3Options.class).getS3ClientFactoryClass());
  }

  @Test
  void missingTableSpecIsNamed() {
    Result r = run("archive", "--tableSpec=" + dir.resolve("none.yaml"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("none.yaml: table spec file not found (--tableSpec)"), r.err());
  }

  @Test
  void helpListsOptionsWithDefaults() {
    Result r = run("archive", "--help");
    assertEquals(0, r.code());
    for (String o :
        List.of(
            "--tableSpec", "--cassandraHosts", "--cassandraPort", "--cassandraLocalDc", "--cassandraUsername",
            "--cassandraPassword", "--period", "--weeks", "--date", "--batchIds", "--archiveRoot",
            "--ledgerUrl", "--asOf")) {
      assertTrue(r.out().contains(o + " "), o + " in " + r.out());
    }
  }

  @Test
  void deleteSharesTheRequestOptionsAndValidatesItsOwn() {
    Result r = run("delete", "--help");
    assertEquals(0, r.code());
    for (String o : List.of("--period", "--weeks", "--date", "--batchIds", "--asOf", "--tableSpec", "--ledgerUrl", "--dryRun", "--maxDeletesPerSecond")) {
      assertTrue(r.out().contains(o + " "), o);
    }
    r = run("delete", "--period=WEEKLY");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--period=WEEKLY is not valid; allowed: LAST_WEEK, LAST_N_WEEKS, DATE, ALL"), r.err());
    r = run("delete", "--maxDeletesPerSecond=-5", "--ledgerUrl=jdbc:h2:mem:y");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--maxDeletesPerSecond=-5"), r.err());
  }

  @Test
  void serveNamesABadPortBindOrRefreshAndListensNowhere() throws Exception {
    String ledger = "--ledgerUrl=jdbc:h2:mem:serve-options";
    Result r = run("serve", ledger, "--port=70000");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--port=70000 must be 0 (any free port) to 65535"), r.err());
    r = run("serve", ledger, "--refreshSeconds=-1");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--refreshSeconds=-1 must be 0 (never) or more"), r.err());
    r = run("serve", ledger, "--bind=no-such-host.invalid");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--bind=no-such-host.invalid is not an address of this machine"), r.err());
    r = run("serve", ledger, "--period=WEEKLY");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--period=WEEKLY is not valid"), r.err());
    // one page, one table: a folder of specs is refused before anything is served or written
    Path specs = Files.createDirectories(dir.resolve("specs"));
    Files.copy(Path.of("pipelines/assessment.yaml"), specs.resolve("a.yaml"));
    Files.copy(Path.of("pipelines/jobs.yaml"), specs.resolve("b.yaml"));
    r = run("serve", ledger, "--tableSpec=" + specs);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("serve writes one output and works on one table at a time"), r.err());
    r = run("status", ledger, "--tableSpec=" + specs, "--html=" + dir.resolve("p.html"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("status --html writes one output and works on one table at a time"), r.err());
    Path notADir = dir.resolve("missing/page.html");
    r = run("status", ledger, "--html=" + notADir);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--html=" + notADir + ": the folder " + dir.resolve("missing") + " does not exist"), r.err());
  }

  @Test
  void theStatusPageIsWrittenWholeAndReadableAsThePageItReplaces() throws Exception {
    String ledger = "--ledgerUrl=jdbc:h2:mem:status-page-file";
    Path page = dir.resolve("status page.html");
    Result r = run("status", ledger, "--html=" + page);
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.readString(page).startsWith("<!DOCTYPE html>"));
    assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(page)));
    Files.setPosixFilePermissions(page, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    assertEquals(0, run("status", ledger, "--html=" + page).code());
    assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(page)));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(page), files.toList(), "nothing left beside the page");
    }
  }

  @Test
  void oneArgumentFileOfADeploymentsSettingsServesEveryCommand() throws Exception {
    Path f = dir.resolve("prod.args");
    Path key = dir.resolve("key");
    Files.writeString(key, "main-test signing key of 32 bytes");
    Files.writeString(f, String.join("\n",
        "--tableSpec=pipelines/jobs.yaml", "--ledgerUrl=jdbc:h2:mem:prod-args", "--signingKeyFile=" + key,
        "--notifyUrl=http://127.0.0.1:9/hook", "--maxDeletesPerSecond=50", ""));
    // status takes none of the key, the webhook or the throttle: from the file they are left out
    Result r = run("status", "@" + f, "--html=" + dir.resolve("page.html"));
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.exists(dir.resolve("page.html")));
    // (on the command line it is still refused by the shipped jar: ShippedJarIT; in this JVM other
    // tests have registered the options interfaces that take it)
    // and a name no command takes is refused from a file too
    Files.writeString(f, "--ledgerUrll=jdbc:h2:mem:typo\n");
    r = run("status", "@" + f);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("ledgerUrll"), r.err());
    // an option that changes what a run does is never left out: a restore told --dryRun in a file
    // must not run for real
    assertEquals(List.of("--dryRun=true"),
        Main.expandArgFiles(List.of("@" + write("dry.args", "--dryRun=true")),
            Main.otherCommandsOptions(commandNamed("restore"), Main.commands())));
    // a command that takes them keeps them
    assertEquals(List.of("--signingKeyFile=" + key),
        Main.expandArgFiles(List.of("@" + write("k.args", "--signingKeyFile=" + key)),
            Main.otherCommandsOptions(commandNamed("delete"), Main.commands())));
    assertEquals(List.of(),
        Main.expandArgFiles(List.of("@" + write("k2.args", "--signingKeyFile=" + key)),
            Main.otherCommandsOptions(commandNamed("serve"), Main.commands())));
  }

  Path write(String name, String line) throws Exception {
    return Files.writeString(dir.resolve(name), line + "\n");
  }

  static Command<?> commandNamed(String name) {
    return Main.commands().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void argumentFilesExpand() throws Exception {
    Path f = dir.resolve("direct.args");
    Files.writeString(f, "# comment\n--period=NOPE\n\n");
    Result r = run("archive", "@" + f);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--period=NOPE is not valid"), r.err());
  }

  @Test
  void laterSourcesOverrideAnArgumentFilesOptions() throws Exception {
    Path f = dir.resolve("cluster.args");
    Files.writeString(f, "--runner=FlinkRunner\n--flinkMaster=flink-jobmanager:8081\n--parallelism=8\n--experiments=a\n--experiments=b\n");
    assertEquals(
        List.of("--runner=FlinkRunner", "--experiments=a", "--experiments=b", "--flinkMaster=127.0.0.1:8082", "--parallelism=2", "--dryRun"),
        Main.expandArgFiles(List.of("@" + f, "--flinkMaster=127.0.0.1:8082", "--parallelism=2", "--dryRun")));
    // A later file overrides the command line before it; repeats within one source stay.
    assertEquals(
        List.of("--period=ALL", "--period=DATE", "--runner=FlinkRunner", "--flinkMaster=flink-jobmanager:8081", "--parallelism=8", "--experiments=a", "--experiments=b"),
        Main.expandArgFiles(List.of("--parallelism=1", "--period=ALL", "--period=DATE", "@" + f)));
    // End to end: the overridden value reaches the options (before: "expected one element").
    Result r = run("archive", "@" + f, "--flinkMaster=127.0.0.1:1", "--period=NOPE");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--period=NOPE is not valid"), r.err());
  }

  @Test
  void oneSetOfConnectionOptionsServesEveryCommand() {
    List<String> pipelines = List.of("archive", "plan", "delete", "status", "serve", "verify", "restore", "report");
    List<String> connection =
        List.of(
            "--tableSpec=pipelines/assessment.yaml", "--cassandraHosts=10.0.0.1", "--cassandraPort=9142",
            "--sourceJdbcUrl=jdbc:postgresql://db:5432/lms", "--sourceJdbcUsername=archiver",
            "--archiveRoot=s3://bucket/archive", "--ledgerUrl=jdbc:postgresql://db:5432/ledger");
    for (Command<?> c : Main.commands()) {
      if (pipelines.contains(c.name())) {
        try {
          Main.parse(c.optionsClass(), connection);
        } catch (IllegalArgumentException e) {
          throw new AssertionError(c.name() + " refuses the connection options: " + e.getMessage(), e);
        }
      }
    }
  }

  @Test
  void everyRunnerConfigParsesForEveryCommand() throws Exception {
    // The commands a runner config is for (sample is not a pipeline, nor are the benchmark's peers,
    // which bench/ adds outside the product; their --weeks and --output clash with the pipelines' in one JVM's option registry, and the CLI
    // parses one command per JVM). dataflow.args needs the Dataflow runner (-Pdataflow-runner).
    List<String> pipelines = List.of("archive", "plan", "delete", "status", "serve", "verify", "restore", "report");
    List<Command<?>> commands = Main.commands().stream().filter(c -> pipelines.contains(c.name())).toList();
    assertEquals(pipelines.size(), commands.size());
    for (String config : List.of("direct.args", "flink-local.args", "flink-cluster.args")) {
      List<String> args = Main.expandArgFiles(List.of("@runner-configs/" + config, "--flinkMaster=127.0.0.1:8082"));
      for (Command<?> c : commands) {
        try {
          Main.parse(c.optionsClass(), args);
        } catch (IllegalArgumentException e) {
          throw new AssertionError(config + " does not parse for " + c.name() + ": " + e.getMessage(), e);
        }
      }
    }
  }

  @Test
  void unreachableCassandraFailsWithExitOneAndNoPassword() {
    Result r =
        run(
            "archive",
            "--cassandraPort=1",
            "--cassandraPassword=s3cret-pw",
            "--cassandraUsername=u",
            "--ledgerUrl=jdbc:h2:mem:x");
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("archive failed"), r.err());
    assertTrue(!r.err().contains("s3cret-pw") && !r.out().contains("s3cret-pw"));
  }

  @Test
  void theProductShipsNoBenchmarkCommandOrClass() {
    // The benchmark's peers (bench-scan, the guard-less bench-raw-delete) live in bench/peers and
    // are added by its launcher; the product's command list and classpath have none of them.
    for (Command<?> c : Main.commands()) {
      assertTrue(!c.name().startsWith("bench"), c.name());
      assertTrue(!c.getClass().getName().startsWith("org.beamarchiver.bench"), c.getClass().getName());
    }
    Result r = run("--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("delete") && !r.out().contains("bench"), r.out());
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.beamarchiver.bench.BenchMain"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.beamarchiver.bench.RawDelete"));
  }

  @Test
  void aLauncherAddsCommandsAfterTheProductsButReplacesNone() {
    Command<PipelineOptions> extra =
        Command.of(
            "extra-peer",
            "a launcher's own command",
            PipelineOptions.class,
            (options, out) -> {
              out.println("extra ran");
              return ExitCode.OK;
            });
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertEquals(0, Main.run(new String[] {"--help"}, ps, ps, List.of(extra)));
    String usage = out.toString(StandardCharsets.UTF_8);
    assertTrue(usage.indexOf("extra-peer") > usage.indexOf("sample"), usage);
    assertEquals(0, Main.run(new String[] {"extra-peer"}, ps, ps, List.of(extra)));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("extra ran"));
    assertEquals(2, Main.run(new String[] {"extra-peer"}, ps, ps, List.of()), "not a product command");

    Command<PipelineOptions> fakeDelete =
        Command.of("delete", "unguarded", PipelineOptions.class, (o, p) -> ExitCode.OK);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Main.run(new String[] {"delete"}, ps, ps, List.of(fakeDelete)));
    assertTrue(e.getMessage().contains("'delete' is the product's own"), e.getMessage());
  }
}
