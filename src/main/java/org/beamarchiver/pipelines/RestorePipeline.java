package org.beamarchiver.pipelines;

import org.beamarchiver.ledger.RestoreStatus;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.beamarchiver.integrity.Manifest;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.options.Checks;
import org.beamarchiver.options.RestoreOptions;
import org.beamarchiver.spec.TableSpecLoader;
import org.beamarchiver.transforms.RestoreVerifiedRows;
import org.beamarchiver.transforms.SelectArchived;

/**
 * The restore pipeline: SelectArchived → RestoreVerifiedRows. At launch, under the table's lease:
 * the request's archived partitions (deleted or not), each ledger row checked against its signed
 * manifest (a partition that fails is refused and recorded, the others go on), and the target
 * table checked against the archive's columns, types and key (an incompatible target refuses the
 * whole run, naming the difference, before anything is written).
 */
public final class RestorePipeline {
  public static final List<String> PROGRESS_COUNTERS =
      List.of("rowsRestored", "rowsFailed", "partitionsRestored", "partitionsFailed");

  private RestorePipeline() {}

  /** One partition's outcome, for the summary. */
  public record Outcome(String batchId, String period, String status, long rows, String error) {}


  /** What a restore run did; {@code unit} is what it writes ("rows", "files"). */
  public record Summary(String runId, String target, String request, List<Outcome> partitions, String unit) {
    public long failed() {
      return partitions.stream().filter(p -> !RestoreStatus.SUCCESS.name().equals(p.status())).count();
    }

    public long rows() {
      return partitions.stream().mapToLong(Outcome::rows).sum();
    }
  }

  static void validate(RestoreOptions o) {
    Checks.range("--restoreConcurrency", o.getRestoreConcurrency(), 1, 100_000);
    Checks.range("--maxWritesPerSecond", o.getMaxWritesPerSecond(), 0, 100_000_000);
    writesPerWorker(o);
    boolean jdbc = o.getTargetJdbcUrl() != null;
    if (jdbc && !o.getTargetJdbcUrl().startsWith("jdbc:")) {
      throw new IllegalArgumentException("--targetJdbcUrl=" + o.getTargetJdbcUrl() + " must be a JDBC URL (jdbc:postgresql://host:port/db)");
    }
    if (jdbc && (o.getTargetTable() == null || o.getTargetKeyspace() != null)) {
      throw new IllegalArgumentException(
          "--targetJdbcUrl needs --targetTable=<table> or <schema>.<table> (and no --targetKeyspace)");
    }
    String table = o.getTargetTable();
    List<String[]> ids = new ArrayList<>();
    ids.add(new String[] {"--targetKeyspace", o.getTargetKeyspace()});
    if (table != null && jdbc && table.contains(".")) {
      ids.add(new String[] {"--targetTable", table.substring(0, table.indexOf('.'))});
      ids.add(new String[] {"--targetTable", table.substring(table.indexOf('.') + 1)});
    } else {
      ids.add(new String[] {"--targetTable", table});
    }
    for (String[] id : ids) {
      if (id[1] != null && !TableSpecLoader.IDENTIFIER.matcher(id[1]).matches()) {
        throw new IllegalArgumentException(
            id[0] + ": '" + id[1] + "' must be a plain identifier (a letter, then letters, digits or '_', at most 48)");
      }
    }
  }

  public static Summary run(RestoreOptions options, Clock clock, Progress progress) throws Exception {
    TableSpec spec = TableSpecLoader.load(java.nio.file.Paths.get(options.getTableSpec()));
    String into = tableTarget(options);
    if (spec.files() != null) {
      if (into != null) {
        throw new org.beamarchiver.control.RefusedException(
            "the archive of " + spec.qualifiedTable() + " holds files (source.kind: files) and restores into a location"
                + " (--targetLocation), not into " + into + "; nothing was written");
      }
      return FileRestoreJob.run(options, clock, progress, spec);
    }
    if (options.getTargetLocation() != null) {
      throw new org.beamarchiver.control.RefusedException(
          "the archive of " + spec.qualifiedTable() + " holds rows (source.kind: " + spec.sourceKind()
              + ") and restores into a table, not into the location --targetLocation=" + options.getTargetLocation()
              + "; nothing was written");
    }
    return RestoreJob.run(options, clock, progress);
  }

  /** The table target the options name (--targetJdbcUrl, --targetKeyspace, --targetTable), or null. */
  private static String tableTarget(RestoreOptions o) {
    List<String> named = new ArrayList<>();
    if (o.getTargetJdbcUrl() != null) {
      named.add("--targetJdbcUrl=" + o.getTargetJdbcUrl());
    }
    if (o.getTargetKeyspace() != null) {
      named.add("--targetKeyspace=" + o.getTargetKeyspace());
    }
    if (o.getTargetTable() != null) {
      named.add("--targetTable=" + o.getTargetTable());
    }
    return named.isEmpty() ? null : "the table " + String.join(" ", named);
  }

  /** The restore's graph: the accepted archives, each verified, its rows written into the target. */
  static Pipeline create(
      RestoreOptions options, Launch launch, List<ArchivedPartition> accepted, RestoreVerifiedRows.Settings settings)
      throws java.io.IOException {
    Pipeline p = Pipeline.create(options);

    // The accepted archives, each read back and verified, its rows written into the target and
    // its outcome recorded in the ledger.
    p.apply("SelectArchived", SelectArchived.of(launch.archiveRoot(), launch.runId(), accepted))
        .apply("RestoreVerifiedRows", new RestoreVerifiedRows(settings));
    return p;
  }

  /** --maxWritesPerSecond divided among the run's workers (the runner's parallelism); 0 for no limit. */
  static double writesPerWorker(RestoreOptions o) {
    int limit = o.getMaxWritesPerSecond() == null ? 0 : o.getMaxWritesPerSecond();
    return limit == 0 ? 0 : (double) limit / Parallelism.of(o, "--maxWritesPerSecond");
  }

  /** The spec of the target: the source's shape, the target's name, the archived columns. */
  static TableSpec targetSpec(TableSpec s, String keyspace, String table, List<String> columns) {
    return new TableSpec(
        s.archiveType(), s.sourceKind(), keyspace, table, s.primaryKey(), s.batchColumn(), s.timeColumn(),
        s.collectionColumn(), columns, TableSpec.RollupSpec.NONE, TableSpec.ReportSpec.NONE, s.format(), s.files());
  }

  private static List<Map.Entry<String, String>> columnsOf(String manifestUrl) {
    try {
      return Manifest.read(manifestUrl).columns();
    } catch (IOException e) {
      throw new IllegalStateException("manifest " + manifestUrl + " became unreadable: " + e.getMessage(), e);
    }
  }
}
