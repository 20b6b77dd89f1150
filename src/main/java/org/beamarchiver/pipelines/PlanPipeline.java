package org.beamarchiver.pipelines;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.control.RunFile;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.transforms.KeyByPartition;
import org.beamarchiver.transforms.ReadKeyAndSpill;

/**
 * The archive's dry run ({@code plan}): one read of the table counting the rows of every partition
 * the request would archive, and the run file that says what an archive would do with each.
 */
public final class PlanPipeline {
  private PlanPipeline() {}

  /** What {@link #plan} produced: the run file, where it is, and whether it was reused. */
  public record PlanResult(String path, RunFile file, boolean reused) {}

  /**
   * The dry run: counts the rows of every partition the request would archive (one read of the
   * table, nothing written but the run file), and writes the run file with each partition's
   * action, target object and steps. A run file for the same table and request younger than one
   * hour is reused unless --forceRun.
   */
  public static PlanResult plan(ArchiveOptions options, Clock clock, Progress progress) throws Exception {
    Launch launch = Launch.resolve(options, clock, "plan");
    ArchiveRun.validate(options);
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    String type = launch.spec().archiveType();
    String dir = ArchiveRunFiles.runFileDir(options, launch);
    String system = ArchiveRunFiles.system(options, launch);
    RunFile.Request request = ArchiveRunFiles.requestOf(options, launch);
    Stores.configure(options);
    if (!Boolean.TRUE.equals(options.getForceRun())) {
      Optional<RunFile.Found> fresh =
          RunFile.fresh(dir, system, launch.spec().qualifiedTable(), request, Instant.now());
      if (fresh.isPresent() && fresh.get().file().counted()
          && fresh.get().file().forceArchival() == Boolean.TRUE.equals(options.getForceArchival())) {
        progress.note(
            "reusing the plan " + fresh.get().path() + " made " + fresh.get().file().createdAt()
                + " (less than an hour ago; --forceRun plans anew)");
        return new PlanResult(fresh.get().path(), fresh.get().file(), true);
      }
    }
    ArchiveRun run = ArchiveRun.prepare(options, launch, launch.now().toEpochMilli(), null, progress);
    run.request().notes().forEach(progress::note);
    progress.note("plan: counting the rows of " + run.spec().qualifiedTable() + " " + run.request().describe());
    Map<PartitionKey, Long> counts = new java.util.TreeMap<>();
    if (!run.request().isEmpty()) {
      String out = ArchivePaths.tempDir(run.archiveRoot(), run.runId()) + "plan-counts";
      Pipeline p = Pipeline.create(options);
      PCollection<org.apache.beam.sdk.values.KV<PartitionKey, Long>> counted;
      if (GraphShape.of(options, run.source()) == GraphShape.FUSED_SPILL) {
        counted =
            p.apply(
                "ReadKeyAndCount",
                new ReadKeyAndSpill.ReadKeyAndCount(
                    run.source(), run.read(),
                    new KeyByPartition.Keyer(run.table().layout(), run.request(), run.skipped(), null)
                        .throttled(ArchivePipeline.readsPerWorker(options)),
                    Parallelism.orOne(options)));
      } else {
        counted =
            p.apply("ReadSourceRows", ArchivePipeline.readSourceRows(run))
                .apply(
                    "KeyByPartition",
                    new KeyByPartition(run.table().layout(), run.request(), run.skipped(), null)
                        .throttled(ArchivePipeline.readsPerWorker(options)))
                .get(KeyByPartition.KEYED)
                .apply("Partitions", org.apache.beam.sdk.transforms.Keys.create())
                .apply("CountRowsPerPartition", org.apache.beam.sdk.transforms.Count.perElement());
      }
      counted
          .apply(
              "FormatCounts",
              org.apache.beam.sdk.transforms.MapElements.into(org.apache.beam.sdk.values.TypeDescriptors.strings())
                  .via(kv -> kv.getValue() + "\t" + kv.getKey().period() + "\t" + ArchivePaths.escape(kv.getKey().batchId())))
          .apply("WriteCounts", org.apache.beam.sdk.io.TextIO.write().to(out).withSuffix(".tsv").withoutSharding());
      Execution.runWithProgress(p, List.of("rowsRead", "rowsKept", "deadLetters"), progress);
      try (java.io.BufferedReader r =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  java.nio.channels.Channels.newInputStream(
                      FileSystems.open(FileSystems.matchNewResource(out + ".tsv", false))),
                  java.nio.charset.StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          String[] f = line.split("\t", 3);
          if (f.length == 3) {
            counts.put(PartitionKey.of(ArchivePaths.unescape(f[2]), IsoWeek.parse(f[1])), Long.parseLong(f[0]));
          }
        }
      }
      Stores.deleteFolder(ArchivePaths.tempDir(run.archiveRoot(), run.runId()));
    }
    Map<PartitionKey, LedgerRow> rows = ledger.archives().partitionRows(type, run.request());
    List<RunFile.Partition> partitions = new ArrayList<>();
    for (Map.Entry<PartitionKey, Long> e : counts.entrySet()) {
      PartitionKey k = e.getKey();
      LedgerRow r = rows.get(k);
      String target =
          ArchivePaths.archiveFile(run.archiveRoot(), type, k, run.runEpochMillis(), ArchiveRun.format(options, launch.spec()));
      String action;
      String replaces = null;
      int iteration;
      if (r == null) {
        action = "ARCHIVE";
        iteration = 1;
      } else if (r.archived()) {
        action = "REARCHIVE";
        replaces = r.blobUrl();
        iteration = r.iteration() + 1;
      } else {
        action = "RETRY";
        iteration = r.iteration() + 1;
      }
      List<String> steps = new ArrayList<>();
      steps.add("record the target in the ledger (write-ahead)");
      steps.add(
          "write " + e.getValue() + " rows, sorted by primary key, " + ArchiveRun.format(options, launch.spec()) + ", under _tmp/"
              + run.runId());
      steps.add("rename to " + target);
      steps.add("record SUCCESS with size, SHA-256, row count, min/max time (iteration " + iteration + ")");
      if (replaces != null) {
        steps.add("keep the old row as SUPERSEDED in archival_history; remove " + replaces);
      }
      partitions.add(new RunFile.Partition(k.batchId(), k.period(), e.getValue(), action, iteration, target, replaces, steps));
    }
    RunFile file = ArchiveRunFiles.newRunFile(system, launch, request, run, partitions, true);
    String path = RunFile.path(dir, system, launch.spec().qualifiedTable(), request, launch.now());
    RunFile.keepPrevious(path);
    file.write(path);
    return new PlanResult(path, file, false);
  }
}
