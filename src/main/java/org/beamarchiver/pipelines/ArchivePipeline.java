package org.beamarchiver.pipelines;

import org.beamarchiver.ledger.ArchiveStatus;
import com.datastax.driver.core.Cluster;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.control.Reconcile;
import org.beamarchiver.integrity.ManifestSigner;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.control.RefusedException;
import org.beamarchiver.control.RunFile;
import org.beamarchiver.io.cassandra.CassandraTable;
import org.beamarchiver.io.cassandra.ReadCassandraRows;
import org.beamarchiver.io.jdbc.JdbcTable;
import org.beamarchiver.io.jdbc.ReadJdbcRows;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.ArchiveFormat;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.transforms.KeyByPartition;
import org.beamarchiver.transforms.ReadKeyAndSpill;
import org.beamarchiver.transforms.RecordInLedger;
import org.beamarchiver.transforms.WriteDeadLetters;
import org.beamarchiver.transforms.WritePartitionFiles;

/**
 * The archive pipeline: ReadSourceRows → KeyByPartition → WritePartitionFiles → RecordInLedger,
 * with rows that cannot be keyed going to WriteDeadLetters.
 */
public final class ArchivePipeline {
  /** Counters shown while the pipeline runs and in the summary. */
  public static final List<String> PROGRESS_COUNTERS =
      List.of("rowsRead", "rowsKept", "deadLetters", "partitionsWritten", "partitionsFailed");

  private ArchivePipeline() {}

  /**
   * Resolves what the run will do from the ledger's present state: which partitions are skipped
   * (SUCCESS, or failed --maxIterations times) and, when forcing, refuses partitions whose rows
   * were already deleted. Called under the table's lease, and again before each retry.
   */
  static ArchiveRun prepare(
      ArchiveOptions options, Launch launch, long runEpochMillis, RunFile plan, Progress progress)
      throws SQLException {
    validate(options);
    boolean force = Boolean.TRUE.equals(options.getForceArchival());

    SourceTable table;
    int splits = 0;
    List<KV<Long, Long>> timeRanges = List.of();
    if (launch.jdbcSource() != null) {
      try (Connection c = launch.jdbcSource().open()) {
        JdbcTable jdbc = JdbcTable.resolve(c, launch.spec());
        table = jdbc;
        // The requested window, from its start or (ALL) the table's earliest time.
        Instant to = launch.request().toExclusive().orElse(null);
        Instant from = launch.request().fromInclusive().orElse(null);
        if (to != null && from == null) {
          from = jdbc.earliestTime(c, to);
        }
        timeRanges = ReadJdbcRows.slices(from, to, options.getJdbcSplits());
      }
    } else {
      try (Cluster cluster = launch.cassandra().newCluster()) {
        table = CassandraTable.resolve(cluster, launch.spec());
        splits = CassandraTable.splits(cluster, launch.spec(), options.getCassandraSplits());
      }
    }
    Ledger ledger = new Ledger(launch.ledger());
    String type = launch.spec().archiveType();
    Set<PartitionKey> only = plan == null ? null : planned(plan);
    Set<PartitionKey> archived = new HashSet<>();
    Set<PartitionKey> exhausted = new HashSet<>();
    List<String> refused = new ArrayList<>();
    for (Map.Entry<PartitionKey, LedgerRow> e : ledger.archives().partitionRows(type, launch.request()).entrySet()) {
      LedgerRow r = e.getValue();
      if (only != null && !only.contains(e.getKey())) {
        continue;
      }
      if (r.archived()) {
        if (!force) {
          archived.add(e.getKey());
        } else if (r.deletionStatus() != null) {
          refused.add(r.batchId() + " " + r.period() + " (delete " + r.deletionStatus() + " on " + r.deletionDate() + ")");
        }
      } else if (r.archivalStatus() == ArchiveStatus.FAILED
          && r.iteration() >= options.getMaxIterations()
          && !force) {
        exhausted.add(e.getKey());
      }
    }
    if (!refused.isEmpty()) {
      throw new RefusedException(
          "--forceArchival refused: the rows of " + refused.size() + " partition(s) were already deleted"
              + " from the source, so re-reading them would replace a good archive with an empty or"
              + " partial one: " + String.join(", ", refused)
              + ". Nothing was changed. Narrow --batchIds/--period to partitions not yet deleted"
              + " (restore them first to re-archive).");
    }
    if (!exhausted.isEmpty()) {
      progress.note(
          exhausted.size() + " partition(s) failed " + options.getMaxIterations()
              + " times (--maxIterations) and are skipped; --forceArchival retries them: "
              + exhausted.stream().map(PartitionKey::toString).sorted().limit(20).toList());
    }
    return new ArchiveRun(
        launch.runId(),
        launch.now(),
        runEpochMillis,
        launch.spec(),
        table,
        launch.request(),
        Set.copyOf(archived),
        Set.copyOf(exhausted),
        only,
        force,
        launch.cassandra(),
        launch.jdbcSource(),
        launch.ledger(),
        launch.archiveRoot(),
        requestData("archive", launch.spec(), launch.request(), launch.runId()),
        splits,
        timeRanges);
  }

  /** Checks the archive's own options before anything is touched; messages name the option. */
  static void validate(ArchiveOptions options) {
    checkRange("--gzipLevel", options.getGzipLevel(), 1, 9);
    checkRange("--sortMemoryMb", options.getSortMemoryMb(), 16, 1 << 16);
    checkRange("--cassandraSplits", options.getCassandraSplits(), 0, 1 << 16);
    checkRange("--jdbcSplits", options.getJdbcSplits(), 1, 1 << 16);
    checkRange("--maxIterations", options.getMaxIterations(), 1, 1000);
    checkRange("--maxReadsPerSecond", options.getMaxReadsPerSecond(), 0, 1_000_000_000);
    shuffle(options);
    readsPerWorker(options);
    if (options.getFormat() != null) {
      ArchiveFormat.parse(options.getFormat(), "--format");
    }
  }

  /** The format of the run's files: --format when given, else the table spec's. */
  static ArchiveFormat format(ArchiveOptions options, TableSpec spec) {
    return options.getFormat() != null ? ArchiveFormat.parse(options.getFormat(), "--format") : spec.format();
  }

  /** --maxReadsPerSecond divided among the run's workers; 0 when there is no limit. */
  static double readsPerWorker(ArchiveOptions options) {
    int limit = options.getMaxReadsPerSecond() == null ? 0 : options.getMaxReadsPerSecond();
    return limit == 0 ? 0 : (double) limit / Parallelism.of(options, "--maxReadsPerSecond");
  }

  private static Set<PartitionKey> planned(RunFile plan) {
    Set<PartitionKey> out = new HashSet<>();
    for (RunFile.Partition p : plan.partitions()) {
      out.add(PartitionKey.of(p.batchId(), IsoWeek.parse(p.period())));
    }
    return out;
  }

  /**
   * Builds the pipeline over the live table. With the RUNNER shuffle: CassandraIO →
   * KeyByPartition → GroupByKey and sort → files. With SPILL (the DirectRunner's): the fused
   * ReadKeyAndSpill → merge of sorted runs → files, so that memory stays bounded on one machine.
   */
  public static Pipeline create(ArchiveOptions options, ArchiveRun run) {
    if (shuffle(options) == WritePartitionFiles.Shuffle.SPILL && run.table() instanceof CassandraTable table) {
      Pipeline p = Pipeline.create(options);
      RecordInLedger record = recordInLedger(run);
      WritePartitionFiles.FileSettings settings = fileSettings(options, run, record);
      PCollectionTuple read =
          p.apply(
              "ReadKeyAndSpill",
              new ReadKeyAndSpill(
                  run.cassandra(), run.spec(), table, run.splits(),
                  new KeyByPartition.Keyer(run.table().layout(), run.request(), run.skipped(), run.only())
                      .throttled(readsPerWorker(options)),
                  settings));
      WritePartitionFiles.mergeRuns(read.get(ReadKeyAndSpill.RUN_INDEX), settings)
          .apply("RecordInLedger", record);
      read.get(ReadKeyAndSpill.DEAD_LETTER).apply("WriteDeadLetters", writeDeadLetters(run));
      return p;
    }
    return create(options, run, readSourceRows(run));
  }

  /** The live table's rows: CassandraIO over token ranges, or JdbcIO over time ranges. */
  static PTransform<PBegin, PCollection<SourceRow>> readSourceRows(ArchiveRun run) {
    if (run.table() instanceof JdbcTable jdbc) {
      return new ReadJdbcRows(run.jdbcSource(), jdbc, run.timeRanges(), run.request().batchIds());
    }
    return new ReadCassandraRows(run.cassandra(), run.spec(), (CassandraTable) run.table(), run.splits());
  }

  private static WritePartitionFiles.FileSettings fileSettings(
      ArchiveOptions options, ArchiveRun run, RecordInLedger record) {
    return new WritePartitionFiles.FileSettings(
        run.archiveRoot(),
        run.spec().archiveType(),
        run.runId(),
        run.runEpochMillis(),
        Arrays.asList(run.table().layout().fileHeader()),
        options.getGzipLevel(),
        options.getSortMemoryMb(),
        shuffle(options),
        record.writeAhead(),
        run.table().layout().rollup(),
        format(options, run.spec()),
        Outage.ofSeconds(options.getMaxOutageSeconds()));
  }

  /** Builds the pipeline over any source of rows (tests inject one; production reads Cassandra). */
  public static Pipeline create(
      ArchiveOptions options,
      ArchiveRun run,
      PTransform<PBegin, PCollection<SourceRow>> source) {
    Pipeline p = Pipeline.create(options);

    PCollection<SourceRow> rows = p.apply("ReadSourceRows", source);

    PCollectionTuple keyed =
        rows.apply(
            "KeyByPartition",
            new KeyByPartition(run.table().layout(), run.request(), run.skipped(), run.only())
                .throttled(readsPerWorker(options)));

    RecordInLedger record = recordInLedger(run);
    keyed
        .get(KeyByPartition.KEYED)
        .apply("WritePartitionFiles", new WritePartitionFiles(fileSettings(options, run, record)))
        .apply("RecordInLedger", record);

    keyed.get(KeyByPartition.DEAD_LETTER).apply("WriteDeadLetters", writeDeadLetters(run));
    return p;
  }

  private static RecordInLedger recordInLedger(ArchiveRun run) {
    return new RecordInLedger(
        run.ledger(), run.spec().archiveType(), run.runId(), run.startedAt(), run.requestData(), run.force());
  }

  private static WriteDeadLetters writeDeadLetters(ArchiveRun run) {
    return new WriteDeadLetters(
        ArchivePaths.deadLetterPrefix(run.archiveRoot(), run.spec().archiveType(), run.runId()),
        run.table().layout().fileHeader());
  }

  /**
   * Runs an archive job under run control: takes the table's lease, cleans up after runs that
   * died, writes or reuses the run file, runs the pipeline (retrying recoverable errors, each
   * retry resuming), checks every object it recorded, and records each state in the ledger.
   */
  public static ArchiveSummary run(ArchiveOptions options, Clock clock, Progress progress)
      throws Exception {
    RunFile plan = null;
    String planPath = options.getPlan();
    if (planPath != null) {
      plan = RunFile.read(planPath);
      applyPlan(options, plan);
    }
    Launch launch = Launch.resolve(options, clock, "run");
    validate(options);
    controlSettings(options, launch, "archive", null);
    if (plan != null) {
      checkPlanMatches(plan, launch, planPath);
    }
    SigningKey key = SigningKey.resolve(options, true, progress::note);
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    String type = launch.spec().archiveType();
    String runFileDir = runFileDir(options, launch);
    String system = system(options, launch);
    RunFile.Request request = requestOf(options, launch);

    try (JobControl job =
        JobControl.start(
            controlSettings(options, launch, "archive", requestData("archive", launch.spec(), launch.request(), launch.runId())),
            progress::note)) {
      Reconcile reconcile = new Reconcile(ledger, type, launch.archiveRoot(), progress::note);
      try {
        Stores.configure(options);
        reconcile.afterDeadRuns(launch.runId(), job.abandonedJobs());

        RunFile reused = null;
        if (plan == null && !Boolean.TRUE.equals(options.getForceRun())) {
          Optional<RunFile.Found> fresh =
              RunFile.fresh(runFileDir, system, launch.spec().qualifiedTable(), request, Instant.now());
          if (fresh.isPresent()) {
            planPath = fresh.get().path();
            if (fresh.get().file().counted()
                && fresh.get().file().forceArchival() == Boolean.TRUE.equals(options.getForceArchival())) {
              plan = fresh.get().file();
              progress.note(
                  "executing the plan " + planPath + " made " + plan.createdAt()
                      + " (less than an hour ago; --forceRun plans anew)");
            } else {
              reused = fresh.get().file();
              progress.note("reusing the run file " + planPath + " (less than an hour old; --forceRun for a new one)");
            }
          }
        }
        long epoch = plan != null ? plan.runEpochMillis() : launch.now().toEpochMilli();
        RunFile planned = plan;
        ArchiveRun run = prepare(options, launch, epoch, planned, progress);
        if (plan != null && run.force() && namesClash(ledger, type, plan)) {
          // A forced re-run of a plan already executed would write over the very objects it
          // replaces: name the new objects by this run's time instead.
          epoch = launch.now().toEpochMilli();
          run = prepare(options, launch, epoch, planned, progress);
        }
        RunFile runFile;
        if (plan != null) {
          runFile = plan;
        } else if (reused != null) {
          runFile = reused;
        } else {
          planPath = RunFile.path(runFileDir, system, launch.spec().qualifiedTable(), request, launch.now());
          RunFile.keepPrevious(planPath);
          runFile = newRunFile(system, launch, request, run, List.of(), false);
        }
        runFile = runFile.withExecution(new RunFile.Execution(launch.runId(), launch.now(), null, "PROCESSING", null, null, null));
        runFile.write(planPath);
        progress.note("run file: " + planPath);

        final ArchiveRun first = run;
        run.request().notes().forEach(progress::note);
        progress.note(
            "archive " + run.spec().qualifiedTable() + " " + run.request().describe() + (run.table() instanceof JdbcTable ? " time slices=" + run.timeRanges().size() : " splits=" + run.splits())
                + (run.force() ? " (forced: archived partitions are re-archived)" : ""));
        if (!run.alreadyArchived().isEmpty()) {
          progress.note(
              run.alreadyArchived().size()
                  + " partition(s) of this request are already archived (SUCCESS) and are skipped");
        }
        Map<String, Long> counters = Map.of();
        ArchiveRun[] current = {first};
        if (!run.request().isEmpty()) {
          counters =
              job.attempt(
                  JobState.ARCHIVING,
                  attempt -> {
                    if (attempt > 1) {
                      current[0] = prepare(options, launch, first.runEpochMillis(), planned, progress);
                    }
                    return Execution.runWithProgress(create(options, current[0]), PROGRESS_COUNTERS, progress);
                  });
        }
        job.to(JobState.POST_PROCESSING, "checking the objects this run recorded, signing its manifest");
        Reconcile.Outcome post = reconcile.afterRun(launch.runId());
        if (post.objectsBad() > 0) {
          progress.note(post.objectsBad() + " recorded object(s) failed the post-run check and were marked FAILED");
        }
        ManifestSigner.Result signed =
            ManifestSigner.sign(
                ledger, type, launch.spec().qualifiedTable(), current[0].table().layout(), launch.archiveRoot(),
                launch.runId(), key, progress::note);
        if (signed.manifest() != null) {
          progress.note("manifest: " + signed.manifest() + " (" + signed.files() + " file(s), signed with key " + key.id() + ")");
        }
        job.to(JobState.STORING, "summary and run file");
        List<LedgerRow> rows = ledger.archives().rowsOfRun(launch.runId());
        ArchiveSummary summary =
            new ArchiveSummary(
                current[0],
                rows,
                counters,
                run.request().isEmpty()
                    ? null
                    : ArchivePaths.deadLetterPrefix(run.archiveRoot(), type, run.runId()) + ".csv");
        int failed = (int) summary.failedPartitions();
        runFile
            .withExecution(
                new RunFile.Execution(
                    launch.runId(), launch.now(), Instant.now(), JobControl.outcome(failed).name(),
                    rows.size() - failed, failed, plan == null ? null : differences(plan, rows)))
            .write(planPath);
        job.to(JobState.CLEANUP, null);
        Stores.deleteTempDir(ArchivePaths.tempDir(launch.archiveRoot(), launch.runId()));
        Stores.deleteTempDir(ArchivePaths.spillDir(launch.archiveRoot(), launch.runId()));
        job.complete(rows.size() - failed, failed, current[0].skipped().size());
        return summary;
      } catch (RefusedException e) {
        job.end(JobState.FAILED, 0, 0, 0, 5, e.getMessage());
        throw e;
      } catch (Exception e) {
        throw job.fail(
            e,
            () -> {
              reconcile.afterRun(launch.runId());
              Stores.deleteTempDir(ArchivePaths.tempDir(launch.archiveRoot(), launch.runId()));
              Stores.deleteTempDir(ArchivePaths.spillDir(launch.archiveRoot(), launch.runId()));
            });
      }
    }
  }

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
    validate(options);
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    String type = launch.spec().archiveType();
    String dir = runFileDir(options, launch);
    String system = system(options, launch);
    RunFile.Request request = requestOf(options, launch);
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
    ArchiveRun run = prepare(options, launch, launch.now().toEpochMilli(), null, progress);
    run.request().notes().forEach(progress::note);
    progress.note("plan: counting the rows of " + run.spec().qualifiedTable() + " " + run.request().describe());
    Map<PartitionKey, Long> counts = new java.util.TreeMap<>();
    if (!run.request().isEmpty()) {
      String out = ArchivePaths.tempDir(run.archiveRoot(), run.runId()) + "plan-counts";
      Pipeline p = Pipeline.create(options);
      PCollection<org.apache.beam.sdk.values.KV<PartitionKey, Long>> counted;
      if (shuffle(options) == WritePartitionFiles.Shuffle.SPILL && run.table() instanceof CassandraTable table) {
        counted =
            p.apply(
                "ReadKeyAndCount",
                new ReadKeyAndSpill.ReadKeyAndCount(
                    run.cassandra(), run.spec(), table, run.splits(),
                    new KeyByPartition.Keyer(run.table().layout(), run.request(), run.skipped(), null)
                        .throttled(readsPerWorker(options))));
      } else {
        counted =
            p.apply("ReadSourceRows", readSourceRows(run))
                .apply(
                    "KeyByPartition",
                    new KeyByPartition(run.table().layout(), run.request(), run.skipped(), null)
                        .throttled(readsPerWorker(options)))
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
      Stores.deleteTempDir(ArchivePaths.tempDir(run.archiveRoot(), run.runId()));
    }
    Map<PartitionKey, LedgerRow> rows = ledger.archives().partitionRows(type, run.request());
    List<RunFile.Partition> partitions = new ArrayList<>();
    for (Map.Entry<PartitionKey, Long> e : counts.entrySet()) {
      PartitionKey k = e.getKey();
      LedgerRow r = rows.get(k);
      String target =
          ArchivePaths.archiveFile(run.archiveRoot(), type, k, run.runEpochMillis(), format(options, launch.spec()));
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
          "write " + e.getValue() + " rows, sorted by primary key, " + format(options, launch.spec()) + ", under _tmp/"
              + run.runId());
      steps.add("rename to " + target);
      steps.add("record SUCCESS with size, SHA-256, row count, min/max time (iteration " + iteration + ")");
      if (replaces != null) {
        steps.add("keep the old row as SUPERSEDED in archival_history; remove " + replaces);
      }
      partitions.add(new RunFile.Partition(k.batchId(), k.period(), e.getValue(), action, iteration, target, replaces, steps));
    }
    RunFile file = newRunFile(system, launch, request, run, partitions, true);
    String path = RunFile.path(dir, system, launch.spec().qualifiedTable(), request, launch.now());
    RunFile.keepPrevious(path);
    file.write(path);
    return new PlanResult(path, file, false);
  }

  /** Partitions of a plan whose object names are those of their current archive. */
  private static boolean namesClash(Ledger ledger, String type, RunFile plan) throws SQLException {
    Set<String> targets = new HashSet<>();
    plan.partitions().forEach(p -> targets.add(p.target()));
    return ledger.archives().anyCurrentObject(type, targets);
  }

  /** Where the plan and the execution disagree (rows that arrived or went since planning). */
  private static List<String> differences(RunFile plan, List<LedgerRow> rows) {
    Map<String, LedgerRow> done = new java.util.TreeMap<>();
    rows.forEach(r -> done.put(r.batchId() + " " + r.period(), r));
    List<String> out = new ArrayList<>();
    for (RunFile.Partition p : plan.partitions()) {
      String k = p.batchId() + " " + p.period();
      LedgerRow r = done.remove(k);
      if (r == null) {
        out.add(k + ": planned (" + p.rows() + " rows), not written by this run");
      } else if (r.rowCount() != null && p.rows() != null && !r.rowCount().equals(p.rows())) {
        out.add(k + ": planned " + p.rows() + " rows, archived " + r.rowCount());
      }
    }
    done.keySet().forEach(k -> out.add(k + ": written, not in the plan"));
    return out;
  }

  static RunFile newRunFile(
      String system, Launch launch, RunFile.Request request, ArchiveRun run,
      List<RunFile.Partition> partitions, boolean counted) {
    List<RunFile.Skipped> skipped = new ArrayList<>();
    run.alreadyArchived().stream().sorted().forEach(k -> skipped.add(new RunFile.Skipped(k.batchId(), k.period(), "ALREADY_ARCHIVED")));
    run.exhausted().stream().sorted().forEach(k -> skipped.add(new RunFile.Skipped(k.batchId(), k.period(), "MAX_ITERATIONS_REACHED")));
    String root = ArchivePaths.root(run.archiveRoot()) + "/" + ArchivePaths.ARCHIVE_DIR + "/" + run.spec().archiveType() + "/";
    List<String> actions =
        List.of(
            "take the lease on table " + run.spec().qualifiedTable() + " (one run at a time)",
            "remove what runs that died left behind (unrecorded objects, temporary files)",
            "read " + run.spec().qualifiedTable() + " over " + run.splits() + " token ranges; keep rows of "
                + run.request().describe() + (counted ? ", " + partitions.size() + " partition(s)" : ""),
            "per partition: record the target object in the ledger (write-ahead), write it sorted and gzipped"
                + " to " + ArchivePaths.root(run.archiveRoot()) + "/" + ArchivePaths.TEMP_DIR + "/<run>/, rename to " + root
                + ", record SUCCESS with size, SHA-256 and row count (FAILED with the error otherwise)",
            run.force()
                ? "per re-archived partition: keep the old ledger row as SUPERSEDED in archival_history, remove its object"
                : "partitions already archived are left alone",
            "check every recorded object against the ledger; release the lease");
    return new RunFile(
        RunFile.FORMAT,
        system,
        run.spec().qualifiedTable(),
        run.spec().archiveType(),
        launch.now(),
        launch.runId(),
        counted,
        run.runEpochMillis(),
        request,
        run.force(),
        counted ? partitions : null,
        skipped,
        actions,
        List.of());
  }

  static RunFile.Request requestOf(ArchiveOptions o, Launch launch) {
    ArchiveRequest r = launch.request();
    return new RunFile.Request(
        r.period().name(),
        r.weeks().orElse(null),
        r.date().map(Object::toString).orElse(null),
        r.asOf().toString(),
        r.batchIds().isEmpty() ? null : List.copyOf(r.batchIds()),
        r.fromInclusive().map(Object::toString).orElse("-") + ".." + r.toExclusive().map(Object::toString).orElse("-"));
  }

  /** A plan fixes the request: its period, parameters, asOf and batch ids replace the options'. */
  private static void applyPlan(ArchiveOptions options, RunFile plan) {
    RunFile.Request r = plan.request();
    options.setPeriod(r.period());
    options.setWeeks(r.weeks());
    options.setDate(r.date());
    options.setAsOf(r.asOf());
    options.setBatchIds(r.batchIds() == null ? null : String.join(",", r.batchIds()));
    options.setForceArchival(plan.forceArchival());
    // The plan names its target objects, so their format is the plan's.
    for (RunFile.Partition p : plan.partitions()) {
      Optional<ArchiveFormat> planned = ArchiveFormat.ofObject(p.target());
      if (planned.isEmpty()) {
        continue;
      }
      if (options.getFormat() != null && ArchiveFormat.parse(options.getFormat(), "--format") != planned.get()) {
        throw new IllegalArgumentException(
            "--format=" + options.getFormat() + " differs from the plan's files (" + planned.get()
                + "): leave --format out to execute the plan, or plan again with it");
      }
      options.setFormat(planned.get().name());
      break;
    }
  }

  private static void checkPlanMatches(RunFile plan, Launch launch, String path) {
    if (!plan.table().equals(launch.spec().qualifiedTable()) || !plan.archiveType().equals(launch.spec().archiveType())) {
      throw new IllegalArgumentException(
          "--plan=" + path + " is for " + plan.table() + " (" + plan.archiveType() + "), but --tableSpec is "
              + launch.spec().qualifiedTable() + " (" + launch.spec().archiveType() + ")");
    }
  }

  static String runFileDir(ArchiveOptions options, Launch launch) {
    return options.getRunFileDir() != null
        ? ArchivePaths.root(Stores.normalizeRoot(options.getRunFileDir()))
        : ArchivePaths.root(launch.archiveRoot()) + "/run-files";
  }

  static String system(ArchiveOptions options, Launch launch) {
    return options.getSystem() != null ? options.getSystem() : launch.spec().keyspace();
  }

  static JobControl.Settings controlSettings(
      org.beamarchiver.options.RunControlOptions o, Launch launch, String kind, String requestData) {
    checkRange("--leaseSeconds", o.getLeaseSeconds(), 5, 86_400);
    checkRange("--waitForLeaseSeconds", o.getWaitForLeaseSeconds(), 0, 86_400);
    checkRange("--maxRetries", o.getMaxRetries(), 0, 100);
    checkRange("--retryBackoffSeconds", o.getRetryBackoffSeconds(), 0, 3_600);
    return new JobControl.Settings(
        launch.ledger(),
        kind,
        launch.spec().archiveType(),
        launch.spec().qualifiedTable(),
        launch.runId(),
        requestData,
        Duration.ofSeconds(o.getLeaseSeconds()),
        Duration.ofSeconds(o.getWaitForLeaseSeconds()),
        o.getMaxRetries(),
        Duration.ofSeconds(o.getRetryBackoffSeconds()));
  }

  /** The shuffle strategy the options ask for, AUTO resolved by runner. */
  static WritePartitionFiles.Shuffle shuffle(ArchiveOptions options) {
    String s = options.getShuffle() == null ? "AUTO" : options.getShuffle().trim().toUpperCase(java.util.Locale.ROOT);
    switch (s) {
      case "RUNNER":
        return WritePartitionFiles.Shuffle.RUNNER;
      case "SPILL":
        return WritePartitionFiles.Shuffle.SPILL;
      case "AUTO":
        return options.getRunner().getSimpleName().equals("DirectRunner")
            ? WritePartitionFiles.Shuffle.SPILL
            : WritePartitionFiles.Shuffle.RUNNER;
      default:
        throw new IllegalArgumentException(
            "--shuffle=" + options.getShuffle() + " is not valid; allowed: AUTO, RUNNER, SPILL");
    }
  }

  static String requestData(String action, TableSpec spec, ArchiveRequest r, String runId) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode n = json.createObjectNode();
    n.put("action", action);
    n.put("table", spec.qualifiedTable());
    n.put("period", r.period().name());
    r.weeks().ifPresent(w -> n.put("weeks", w));
    r.date().ifPresent(d -> n.put("date", d.toString()));
    n.put("asOf", r.asOf().toString());
    n.putPOJO("batchIds", r.batchIds());
    n.put("runId", runId);
    try {
      return json.writeValueAsString(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void checkRange(String option, Integer value, int min, int max) {
    if (value == null || value < min || value > max) {
      throw new IllegalArgumentException(
          option + "=" + value + " is out of range; allowed " + min + ".." + max);
    }
  }
}
