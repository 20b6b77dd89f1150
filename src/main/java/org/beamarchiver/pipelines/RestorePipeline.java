package org.beamarchiver.pipelines;

import org.beamarchiver.ledger.RestoreStatus;
import org.beamarchiver.ledger.Restore;
import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Session;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileSystems;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.control.RefusedException;
import org.beamarchiver.integrity.ArchiveVerifier;
import org.beamarchiver.integrity.Manifest;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.io.cassandra.CassandraTable;
import org.beamarchiver.io.cassandra.GuardConsistency;
import org.beamarchiver.io.cassandra.RestoreTarget;
import org.beamarchiver.io.jdbc.JdbcRestoreTarget;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.RowLayout;
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


  /** What a restore run did. */
  public record Summary(String runId, String target, String request, List<Outcome> partitions) {
    public long failed() {
      return partitions.stream().filter(p -> !RestoreStatus.SUCCESS.name().equals(p.status())).count();
    }

    public long rows() {
      return partitions.stream().mapToLong(Outcome::rows).sum();
    }
  }

  static void validate(RestoreOptions o) {
    ArchivePipeline.checkRange("--restoreConcurrency", o.getRestoreConcurrency(), 1, 100_000);
    ArchivePipeline.checkRange("--maxWritesPerSecond", o.getMaxWritesPerSecond(), 0, 100_000_000);
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
    Launch launch = Launch.resolve(options, clock, "restore");
    validate(options);
    ArchivePipeline.controlSettings(options, launch, "restore", null);
    SigningKey key = SigningKey.resolve(options, false, progress::note);
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    String type = launch.spec().archiveType();
    String keyspace = options.getTargetKeyspace() != null ? options.getTargetKeyspace() : launch.spec().keyspace();
    // A JDBC source's rows go back into its own database by default: its table, or --targetTable there.
    boolean intoSource = options.getTargetJdbcUrl() == null && launch.jdbcSource() != null;
    String table =
        options.getTargetTable() != null ? options.getTargetTable()
            : intoSource ? launch.spec().keyspace() + "." + launch.spec().table() : launch.spec().table();
    JdbcEndpoint jdbc =
        intoSource ? launch.jdbcSource()
            : options.getTargetJdbcUrl() == null ? null
            : new JdbcEndpoint(
                options.getTargetJdbcUrl(), options.getTargetJdbcUsername(),
                options.getTargetJdbcPassword() != null ? options.getTargetJdbcPassword() : System.getenv("TARGET_JDBC_PASSWORD"));
    // The URL without its parameters: they may hold credentials, and this goes to the ledger.
    String target = jdbc != null ? table + " in " + jdbc.url().replaceFirst("[?;].*$", "") : keyspace + "." + table;
    if (jdbc == null) {
      // Before the job is recorded or anything read: a consistency that would void the
      // read-before-write is refused.
      GuardConsistency.check(launch.cassandra(), keyspace, "restore").forEach(progress::note);
    }
    String requestData =
        ArchivePipeline.requestData("restore into " + target, launch.spec(), launch.request(), launch.runId());
    try (JobControl job =
        JobControl.start(ArchivePipeline.controlSettings(options, launch, "restore", requestData), progress::note)) {
      try {
        Stores.configure(options);
        ArchiveVerifier verifier = new ArchiveVerifier(key);
        List<LedgerRow> rows = new ArrayList<>();
        for (LedgerRow r : ledger.archives().partitionRows(type, launch.request()).values()) {
          if (ArchiveVerifier.archived(r)) {
            rows.add(r);
          }
        }
        rows.sort(Comparator.comparing(LedgerRow::batchId).thenComparing(LedgerRow::period));
        List<ArchivedPartition> accepted = new ArrayList<>();
        List<Outcome> refused = new ArrayList<>();
        Map<String, List<Map.Entry<String, String>>> shapes = new LinkedHashMap<>();
        for (LedgerRow r : rows) {
          Optional<ArchiveVerifier.Verdict> bad = verifier.checkManifest(r);
          if (bad.isPresent()) {
            String why = "refused, archive not verified: " + bad.get().describe();
            refused.add(new Outcome(r.batchId(), r.period(), RestoreStatus.FAILED.name(), 0, why));
            Restore refusal =
                new Restore(launch.runId(), r.uuid(), r.batchId(), r.period(), r.blobUrl(), target, Instant.now(), 0,
                    RestoreStatus.FAILED, why);
            ledger.restores().record("record the refusal of " + r.batchId() + " " + r.period(), type, refusal);
            progress.note("refused " + r.batchId() + " " + r.period() + ": " + why);
            continue;
          }
          shapes.computeIfAbsent(r.manifestUrl(), u -> columnsOf(u));
          accepted.add(r.archivedPartition());
        }
        List<Map.Entry<String, String>> columns = null;
        for (Map.Entry<String, List<Map.Entry<String, String>>> s : shapes.entrySet()) {
          if (columns != null && !columns.equals(s.getValue())) {
            throw new RefusedException(
                "the archives of this request have different columns (" + s.getKey() + " differs); restore them per period");
          }
          columns = s.getValue();
        }
        progress.note(
            "restore " + launch.request().describe() + " into " + target + ": " + accepted.size()
                + " verified archive(s) (manifest signatures checked with key " + key.id() + ")"
                + (refused.isEmpty() ? "" : ", " + refused.size() + " refused"));
        if (columns != null && jdbc != null) {
          try (java.sql.Connection c = jdbc.open()) {
            String why = JdbcRestoreTarget.incompatibility(c, table, columns, launch.spec().primaryKey());
            if (why != null) {
              throw new RefusedException(why + "; nothing was written");
            }
          }
        } else if (columns != null) {
          try (Cluster cluster = launch.cassandra().newCluster();
              Session session = cluster.connect()) {
            com.datastax.driver.core.TableMetadata source =
                CassandraTable.metadata(cluster, launch.spec().keyspace(), launch.spec().table());
            List<String> partitionKey =
                source == null ? null : source.getPartitionKey().stream().map(c -> c.getName()).toList();
            List<String> clustering =
                source == null ? launch.spec().primaryKey() : source.getClusteringColumns().stream().map(c -> c.getName()).toList();
            String why = RestoreTarget.incompatibility(session, keyspace, table, columns, partitionKey, clustering);
            if (why != null) {
              throw new RefusedException(why + "; nothing was written");
            }
          }
        }
        List<String> names = columns == null ? List.of() : columns.stream().map(Map.Entry::getKey).toList();
        List<String> header = new ArrayList<>(names);
        header.add(RowLayout.WRITE_TIME_COLUMN);
        if (!accepted.isEmpty()) {
          job.attempt(
              JobState.RESTORING,
              attempt -> {
                Pipeline p = Pipeline.create(options);
                p.apply("SelectArchived", SelectArchived.of(launch.archiveRoot(), launch.runId(), accepted))
                    .apply(
                        "RestoreVerifiedRows",
                        new RestoreVerifiedRows(
                            new RestoreVerifiedRows.Settings(
                                launch.cassandra(), targetSpec(launch.spec(), keyspace, table, names), header,
                                options.getRestoreConcurrency(),
                                writesPerWorker(options), launch.ledger(), type, launch.runId(), jdbc)));
                return Execution.runWithProgress(p, PROGRESS_COUNTERS, progress);
              });
        }
        job.to(JobState.POST_PROCESSING, null);
        job.to(JobState.STORING, null);
        List<Outcome> outcomes = new ArrayList<>();
        for (Restore r : ledger.restores().ofType(type)) {
          if (r.runId().equals(launch.runId())) {
            outcomes.add(new Outcome(r.batchId(), r.period(), r.status().name(), r.rows(), r.error()));
          }
        }
        outcomes.sort(Comparator.comparing(Outcome::batchId).thenComparing(Outcome::period));
        Summary summary = new Summary(launch.runId(), target, launch.request().describe(), outcomes);
        job.to(JobState.CLEANUP, null);
        Stores.deleteTempDir(ArchivePaths.tempDir(launch.archiveRoot(), launch.runId()));
        int failed = (int) summary.failed();
        job.complete(outcomes.size() - failed, failed, 0);
        return summary;
      } catch (RefusedException e) {
        job.end(JobState.FAILED, 0, 0, 0, 5, e.getMessage());
        throw e;
      } catch (Exception e) {
        throw job.fail(e, () -> Stores.deleteTempDir(ArchivePaths.tempDir(launch.archiveRoot(), launch.runId())));
      }
    }
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
        s.collectionColumn(), columns, TableSpec.RollupSpec.NONE, TableSpec.ReportSpec.NONE, s.format());
  }

  private static List<Map.Entry<String, String>> columnsOf(String manifestUrl) {
    try {
      return Manifest.read(manifestUrl).columns();
    } catch (IOException e) {
      throw new IllegalStateException("manifest " + manifestUrl + " became unreadable: " + e.getMessage(), e);
    }
  }
}
