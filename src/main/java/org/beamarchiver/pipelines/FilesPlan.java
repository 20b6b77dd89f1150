package org.beamarchiver.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.beamarchiver.control.RunFile;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.SourceFile;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.spec.FileSourceSpec;
import org.beamarchiver.spec.SpecUnit;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;
import org.beamarchiver.transforms.DateFiles;
import org.beamarchiver.transforms.PlanFileCopies;

/**
 * The plan (dry run) of a files table, or of a spec with lifecycles: one JSON file that lists, in
 * the order a launch runs them, each lifecycle's storages (their source, dates and archive type),
 * per storage the partitions the archive would write and why (new, next iteration) or leave
 * (up to date), with their files and bytes, and the ordered steps of the archive and the verified
 * delete. A files storage is planned by listing and dating its files (MatchFiles → DateFiles →
 * GroupFilesByPartition → DescribePartition, the archive's own decision) without copying or
 * recording anything; a row storage by the row plan, whose run file the plan names. Written to
 * {@code <runFileDir>/<archiveType>/plan-<run>.json} (default {@code <archiveRoot>/run-files}).
 */
public final class FilesPlan {
  public static final String FORMAT = "beam-archiver-plan/1";

  /** A files archive's steps in order, each with the crash point after it (docs/files.md#order-of-steps). */
  public static final List<String> ARCHIVE_STEPS =
      List.of(
          "announce each partition's file list in the ledger (write-ahead)",
          "copy each file into the partition's folder, to a sibling name renamed onto its own [copied]",
          "write the partition's file list inside its folder, renamed beside it [listed]",
          "record the partition in the ledger with the list's size and SHA-256 [recorded]",
          "check every list the run recorded, then sign the run's manifest [signing]");

  /** A files table's verified delete, in order. */
  public static final List<String> DELETE_STEPS =
      List.of(
          "check the partition's ledger row against its signed manifest",
          "hold the file list to the ledger; record the recycle folder and the deletion's start [pending]",
          "per file: read its archived copy and hold it to its list line",
          "per file, with --recycleRoot: copy it into the bin only if its bytes are the listed ones, read the copy back [recycled]",
          "per file: check size and time again, remove it from the source [removed]",
          "record the partition's outcome");

  /** A row storage's steps: the row plan's run file lists each partition's. */
  public static final List<String> ROW_STEPS =
      List.of("write each partition's archive file and record it (the run file lists each partition's actions)",
          "delete: re-verify the archive, then delete each row still as archived");

  private FilesPlan() {}

  /** One partition of a storage's plan. */
  public record PartitionPlan(String week, String action, long count, long bytes, long appeared) {}

  /** One storage's (or table's) plan. */
  public record UnitPlan(SpecUnit unit, List<PartitionPlan> partitions, String runFile, String window) {}

  /** What the plan wrote. */
  public record Result(String path, List<UnitPlan> units) {}

  /**
   * Whether {@code plan} with these options is this plan: a files table, a spec with lifecycles,
   * or one files storage of one.
   */
  public static boolean serves(ArchiveOptions options) {
    Path p = Paths.get(options.getTableSpec());
    if (!Files.isRegularFile(p)) {
      return TableSpecLoader.loadUnit(p).spec().files() != null;
    }
    List<SpecUnit> units = TableSpecLoader.loadUnits(p);
    return units.get(0).lifecycle() != null || units.get(0).spec().files() != null;
  }

  public static Result plan(ArchiveOptions options, Clock clock, Progress progress) throws Exception {
    Path p = Paths.get(options.getTableSpec());
    List<SpecUnit> units = Files.isRegularFile(p) ? TableSpecLoader.loadUnits(p) : List.of(TableSpecLoader.loadUnit(p));
    List<SpecUnit> chosen = SpecUnit.select(units, options.getLifecycle(), options.getStorage(), p);
    List<UnitPlan> plans = new ArrayList<>();
    String runId = Launch.newRunId("plan", Instant.now());
    for (SpecUnit u : chosen) {
      ArchiveOptions o = copy(options);
      o.setTableSpec(u.selector());
      o.setLifecycle(null);
      o.setStorage(null);
      progress.note("plan " + u.describe());
      plans.add(u.spec().files() != null ? planFiles(o, clock, u, progress) : planRows(o, clock, u, progress));
    }
    String root = Stores.normalizeRoot(options.getArchiveRoot());
    String dir = options.getRunFileDir() != null ? ArchivePaths.root(options.getRunFileDir()) : ArchivePaths.root(root) + "/run-files";
    String type = chosen.get(0).tableType();
    String path = dir + "/" + type + "/" + runId + ".json";
    Stores.write(path, "application/json", json(p.toString(), type, options, plans).getBytes(StandardCharsets.UTF_8));
    return new Result(path, plans);
  }

  private static ArchiveOptions copy(ArchiveOptions options) {
    // a copy through the options' JSON form (as runners ship options to workers): each storage's
    // plan gets its own --tableSpec
    try {
      ObjectMapper m = new ObjectMapper().registerModules(ObjectMapper.findModules(org.apache.beam.sdk.util.common.ReflectHelpers.findClassLoader()));
      return m.readValue(m.writeValueAsString(options), PipelineOptions.class).as(ArchiveOptions.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot copy the options: " + e.getMessage(), e);
    }
  }

  private static UnitPlan planRows(ArchiveOptions o, Clock clock, SpecUnit u, Progress progress) throws Exception {
    PlanPipeline.PlanResult r = PlanPipeline.plan(o, clock, progress);
    List<PartitionPlan> parts = new ArrayList<>();
    for (RunFile.Partition x : r.file().partitions()) {
      parts.add(new PartitionPlan(x.batchId() + " " + x.period(), x.action(), x.rows() == null ? 0 : x.rows(), 0, 0));
    }
    return new UnitPlan(u, parts, r.path(), r.file().request().window());
  }

  private static UnitPlan planFiles(ArchiveOptions o, Clock clock, SpecUnit u, Progress progress) throws Exception {
    TableSpec spec = u.spec();
    Launch launch = Launch.resolveFiles(o, clock, "plan", spec);
    FileArchiveRun.checkRoots(spec.files().location(), launch.archiveRoot());
    if (launch.request().isEmpty()) {
      // the storage holds none of the request's weeks (a retired one may be gone): nothing to list
      return new UnitPlan(u, List.of(), null, launch.request().describe());
    }
    FileArchiveRun.checkLocation(spec);
    new Ledger(launch.ledger()).migrate();
    FileArchiveRun run = FileArchiveRun.prepare(o, launch, launch.now().toEpochMilli());
    String out = ArchivePaths.tempDir(launch.archiveRoot(), launch.runId()) + "plan";
    Pipeline pipeline = Pipeline.create(o);
    FileSourceSpec files = new FileSourceSpec(run.location(), spec.files().partitionDate());
    pipeline
        .apply("MatchFiles", FileIO.match().filepattern(files.location() + "/**").withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW))
        .apply("DateFiles", new DateFiles(files, run.storage(), launch.request(), run.exhausted()))
        .get(DateFiles.DATED)
        .apply("GroupFilesByPartition", GroupByKey.create())
        .apply("DescribePartition", ParDo.of(new DescribePartitionFn(run.archivedLists())))
        .apply("WritePlanLines", TextIO.write().to(out).withSuffix(".jsonl").withoutSharding());
    try {
      Execution.runWithProgress(pipeline, List.of("filesListed", "partitionsPlanned"), progress);
      List<PartitionPlan> parts = new ArrayList<>();
      ObjectMapper json = new ObjectMapper();
      if (Stores.stat(out + ".jsonl") != null) {
        for (String line : Stores.readLines(out + ".jsonl")) {
          if (!line.isBlank()) {
            parts.add(json.readValue(line, PartitionPlan.class));
          }
        }
      }
      parts.sort(Comparator.comparing(PartitionPlan::week));
      return new UnitPlan(u, parts, null, launch.request().describe());
    } finally {
      Stores.deleteFolder(ArchivePaths.tempDir(launch.archiveRoot(), launch.runId()));
    }
  }

  /** Per partition, the archive's own decision, as one JSON line; nothing is copied or recorded. */
  static final class DescribePartitionFn extends DoFn<KV<PartitionKey, Iterable<SourceFile>>, String> {
    private final java.util.Map<PartitionKey, String> archivedLists;
    private final Counter planned = Metrics.counter("plan", "partitionsPlanned");

    DescribePartitionFn(java.util.Map<PartitionKey, String> archivedLists) {
      this.archivedLists = java.util.Map.copyOf(archivedLists);
    }

    @ProcessElement
    public void process(@Element KV<PartitionKey, Iterable<SourceFile>> e, OutputReceiver<String> out) throws Exception {
      PlanFileCopies.Decision d = PlanFileCopies.decide(e.getValue(), archivedLists.get(e.getKey()));
      planned.inc();
      out.output(
          new ObjectMapper().writeValueAsString(
              new PartitionPlan(e.getKey().period(), d.action().name(), d.files() + d.carried().size(), d.bytes(), d.appeared())));
    }
  }

  private static String json(String file, String type, ArchiveOptions o, List<UnitPlan> plans) throws Exception {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode n = json.createObjectNode();
    n.put("format", FORMAT);
    n.put("tableSpec", file);
    n.put("archiveType", type);
    n.put("createdAt", Instant.now().toString());
    n.put("period", o.getPeriod());
    n.put("note", "a dry run: nothing was copied, recorded or removed; the storages run in this order (equal orders in parallel)");
    ArrayNode units = n.putArray("storages");
    for (UnitPlan u : plans) {
      ObjectNode s = units.addObject();
      SpecUnit x = u.unit();
      if (x.lifecycle() != null) {
        s.put("lifecycle", x.lifecycle());
        s.put("order", x.order());
        s.put("storage", x.storage());
        if (x.from() != null) {
          s.put("from", x.from().toString());
        }
        if (x.until() != null) {
          s.put("until", x.until().toString());
        }
      }
      s.put("kind", x.spec().sourceKind().name());
      s.put("source", x.spec().qualifiedTable());
      s.put("archiveType", x.spec().archiveType());
      s.put("window", u.window());
      if (u.runFile() != null) {
        s.put("runFile", u.runFile());
      }
      ArrayNode parts = s.putArray("partitions");
      for (PartitionPlan pp : u.partitions()) {
        ObjectNode q = parts.addObject();
        q.put("week", pp.week());
        q.put("action", pp.action());
        q.put(x.spec().files() != null ? "files" : "rows", pp.count());
        if (x.spec().files() != null) {
          q.put("bytes", pp.bytes());
          q.put("newFiles", pp.appeared());
        }
      }
      ArrayNode steps = s.putArray("steps");
      (x.spec().files() != null ? concat(ARCHIVE_STEPS, DELETE_STEPS) : ROW_STEPS).forEach(steps::add);
    }
    return json.writeValueAsString(n) + "\n";
  }

  private static List<String> concat(List<String> archive, List<String> delete) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < archive.size(); i++) {
      out.add("archive " + (i + 1) + ": " + archive.get(i));
    }
    for (int i = 0; i < delete.size(); i++) {
      out.add("delete " + (i + 1) + ": " + delete.get(i));
    }
    return out;
  }
}
