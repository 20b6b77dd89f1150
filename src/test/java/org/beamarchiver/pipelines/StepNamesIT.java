package org.beamarchiver.pipelines;

import org.beamarchiver.io.source.DeleteHook;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Session;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.options.DeleteOptions;
import org.beamarchiver.options.RestoreOptions;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.GraphOnlyRunner;
import org.beamarchiver.support.StepNames;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stable step names: each pipeline's graph (archive with the RUNNER and the SPILL shuffle, plan
 * with both, delete, restore) is built against a real Cassandra and ledger, and not run; every
 * step our code applies must carry an explicit PascalCase name (see {@link StepNames}), so a Flink
 * or Dataflow job's UI and metric names read like the code and stay the same from run to run.
 *
 * <p>Archive and delete graphs come from {@code ArchivePipeline.create} and {@code
 * DeletePipeline.create}; plan and restore build theirs inside their run methods, so those run
 * with {@link GraphOnlyRunner}, which hands the built graph back instead of executing it.
 */
class StepNamesIT {
  static final Instant AS_OF = AssessmentFixture.AS_OF;

  @TempDir static Path dir;
  static AssessmentFixture f;
  static Path root;

  @BeforeAll
  static void archiveSomething() throws Exception {
    Path keyFile = dir.resolve("signing.key");
    Files.writeString(keyFile, "step-names-it key, long enough\n");
    root = dir.resolve("archive");
    try (Cluster cluster = TestServers.cluster();
        Session session = cluster.connect()) {
      f = AssessmentFixture.builder(session, dir).name("assessment").keyspacePrefix("step_names_it")
          .rows(300).batches(2).weeks(3).deadLetters(0).seed(5L).root(root).signingKeyFile(keyFile).build();
    }
    // A real archive (DirectRunner), so that the delete and the restore have signed partitions.
    ArchiveSummary archived =
        ArchivePipeline.run(archiveOptions(root), Clock.fixed(AS_OF, ZoneOffset.UTC), quiet());
    assertTrue(archived.partitions().size() >= 2 && archived.failedPartitions() == 0, "the setup archive wrote partitions: " + archived.partitions());
  }

  static Progress quiet() {
    return new Progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  static List<String> args(Path archiveRoot, String... extra) {
    return f.with("--archiveRoot=" + archiveRoot).options(extra);
  }

  static ArchiveOptions archiveOptions(Path archiveRoot, String... extra) {
    List<String> a = args(archiveRoot, extra);
    a.add("--cassandraSplits=4");
    return PipelineOptionsFactory.fromArgs(a.toArray(new String[0])).as(ArchiveOptions.class);
  }

  static <O extends PipelineOptions> O graphOnly(O options) {
    options.setRunner(GraphOnlyRunner.class);
    return options;
  }

  /** The graph has every expected step, and every step our code applied is named explicitly. */
  static void assertStable(String which, Pipeline p, List<String> expected) {
    StepNames.Result r = StepNames.of(p);
    System.out.println(which + ": " + r.checked().size() + " steps checked: " + r.checked());
    assertEquals(List.of(), r.unstable(), which + ": steps without an explicit PascalCase name");
    List<String> missing = new ArrayList<>(expected);
    missing.removeAll(r.checked());
    assertEquals(List.of(), missing, which + ": expected steps not in the graph " + r.checked());
  }

  static Pipeline archiveGraph(String shuffle) throws Exception {
    ArchiveOptions o = archiveOptions(dir.resolve("archive-" + shuffle), "--shuffle=" + shuffle);
    Launch launch = Launch.resolve(o, Clock.fixed(AS_OF, ZoneOffset.UTC), "archive");
    ArchiveRun run = ArchiveRun.prepare(o, launch, launch.now().toEpochMilli(), null, quiet());
    return ArchivePipeline.create(o, run);
  }

  @Test
  void archiveWithTheRunnersShuffle() throws Exception {
    assertStable(
        "archive (RUNNER)",
        archiveGraph("RUNNER"),
        List.of(
            "ReadSourceRows",
            "KeyByPartition",
            "KeyByPartition/KeyRows",
            "WritePartitionFiles",
            "WritePartitionFiles/GroupByPartition",
            "WritePartitionFiles/SortAndWriteFile",
            "RecordInLedger",
            "RecordInLedger/UpsertLedgerRow",
            "WriteDeadLetters",
            "WriteDeadLetters/FormatDeadLetter",
            "WriteDeadLetters/WriteDeadLetterFile"));
  }

  @Test
  void archiveWithTheSpillShuffle() throws Exception {
    assertStable(
        "archive (SPILL)",
        archiveGraph("SPILL"),
        List.of(
            "ReadKeyAndSpill",
            "ReadKeyAndSpill/TokenRanges",
            "ReadKeyAndSpill/SpreadRanges",
            "ReadKeyAndSpill/ReadKeyAndSpillRows",
            "RunIndexes",
            "StartMergePlan",
            "PlanMerges",
            "GroupMergesIntoShards",
            "MergeSegmentsAndWriteFiles",
            "RecordInLedger",
            "RecordInLedger/UpsertLedgerRow",
            "WriteDeadLetters",
            "WriteDeadLetters/FormatDeadLetter",
            "WriteDeadLetters/WriteDeadLetterFile"));
  }

  static Pipeline planGraph(String shuffle) {
    ArchiveOptions o = graphOnly(archiveOptions(dir.resolve("plan-" + shuffle), "--shuffle=" + shuffle));
    GraphOnlyRunner.GraphBuilt built =
        assertThrows(
            GraphOnlyRunner.GraphBuilt.class,
            () -> PlanPipeline.plan(o, Clock.fixed(AS_OF, ZoneOffset.UTC), quiet()));
    return GraphOnlyRunner.built(built);
  }

  @Test
  void planWithTheRunnersShuffle() {
    assertStable(
        "plan (RUNNER)",
        planGraph("RUNNER"),
        List.of(
            "ReadSourceRows",
            "KeyByPartition",
            "KeyByPartition/KeyRows",
            "Partitions",
            "CountRowsPerPartition",
            "FormatCounts",
            "WriteCounts"));
  }

  @Test
  void planWithTheSpillShuffle() {
    assertStable(
        "plan (SPILL)",
        planGraph("SPILL"),
        List.of(
            "ReadKeyAndCount",
            "ReadKeyAndCount/TokenRanges",
            "ReadKeyAndCount/SpreadRanges",
            "ReadKeyAndCount/ReadKeyAndCountRows",
            "ReadKeyAndCount/SumPerPartition",
            "FormatCounts",
            "WriteCounts"));
  }

  @Test
  void delete() throws Exception {
    DeleteOptions o =
        PipelineOptionsFactory.fromArgs(args(root).toArray(new String[0])).as(DeleteOptions.class);
    Launch launch = Launch.resolve(o, Clock.fixed(AS_OF, ZoneOffset.UTC), "delete");
    new Ledger(launch.ledger()).migrate();
    DeleteRun run = DeleteJob.prepare(o, launch, SigningKey.resolve(o, false, note -> {}));
    assertTrue(!run.partitions().isEmpty(), "the delete has archived partitions to delete");
    assertStable(
        "delete",
        DeletePipeline.create(o, run, DeleteHook.NONE),
        List.of(
            "SelectArchived",
            "DeleteVerifiedRows",
            "DeleteVerifiedRows/SpreadPartitions",
            "DeleteVerifiedRows/VerifyArchiveThenDeleteUnchangedRows",
            "RecordDeletion",
            "RecordDeletion/UpdateLedgerRow",
            "FormatReport",
            "WriteReport"));
  }

  @Test
  void restore() {
    RestoreOptions o =
        graphOnly(PipelineOptionsFactory.fromArgs(args(root).toArray(new String[0])).as(RestoreOptions.class));
    GraphOnlyRunner.GraphBuilt built =
        assertThrows(
            GraphOnlyRunner.GraphBuilt.class,
            () -> RestorePipeline.run(o, Clock.fixed(AS_OF, ZoneOffset.UTC), quiet()));
    assertStable(
        "restore",
        GraphOnlyRunner.built(built),
        List.of(
            "SelectArchived",
            "RestoreVerifiedRows",
            "RestoreVerifiedRows/SpreadPartitions",
            "RestoreVerifiedRows/VerifyArchiveThenWriteRows"));
  }
}
