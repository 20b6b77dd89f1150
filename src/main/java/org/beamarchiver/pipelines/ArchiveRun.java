package org.beamarchiver.pipelines;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.values.KV;
import org.beamarchiver.io.cassandra.CassandraConnection;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.spec.TableSpec;

/**
 * Everything an archive launch resolved before the pipeline starts: the table, the request, which
 * of its partitions are left alone and why, and the run's identity.
 *
 * @param runEpochMillis the time in the names of the objects the run writes (a plan fixes it)
 * @param alreadyArchived partitions archived with SUCCESS, skipped (empty when forcing)
 * @param exhausted partitions that FAILED --maxIterations times, skipped (empty when forcing)
 * @param only when executing a plan, its partitions; null otherwise
 * @param force whether SUCCESS partitions are re-archived and their old archives superseded
 * @param jdbcSource the database of a JDBC source; null for Cassandra
 * @param splits Cassandra's token-range splits
 * @param timeRanges a JDBC source's time-column slices [from, to) in epoch millis; empty for Cassandra
 */
public record ArchiveRun(
    String runId,
    Instant startedAt,
    long runEpochMillis,
    TableSpec spec,
    SourceTable table,
    ArchiveRequest request,
    Set<PartitionKey> alreadyArchived,
    Set<PartitionKey> exhausted,
    Set<PartitionKey> only,
    boolean force,
    CassandraConnection cassandra,
    JdbcEndpoint jdbcSource,
    JdbcEndpoint ledger,
    String archiveRoot,
    String requestData,
    int splits,
    List<KV<Long, Long>> timeRanges) {

  /** Partitions whose rows the run drops: already archived, or failed too often. */
  public Set<PartitionKey> skipped() {
    Set<PartitionKey> s = new java.util.HashSet<>(alreadyArchived);
    s.addAll(exhausted);
    return s;
  }
}
