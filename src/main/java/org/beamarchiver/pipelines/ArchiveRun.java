package org.beamarchiver.pipelines;

import java.time.Instant;
import java.util.Set;
import org.beamarchiver.io.cassandra.CassandraConnection;
import org.beamarchiver.io.cassandra.CassandraTable;
import org.beamarchiver.ledger.LedgerConnection;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.PartitionKey;
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
 */
public record ArchiveRun(
    String runId,
    Instant startedAt,
    long runEpochMillis,
    TableSpec spec,
    CassandraTable table,
    ArchiveRequest request,
    Set<PartitionKey> alreadyArchived,
    Set<PartitionKey> exhausted,
    Set<PartitionKey> only,
    boolean force,
    CassandraConnection cassandra,
    LedgerConnection ledger,
    String archiveRoot,
    String requestData,
    int splits) {

  /** Partitions whose rows the run drops: already archived, or failed too often. */
  public Set<PartitionKey> skipped() {
    Set<PartitionKey> s = new java.util.HashSet<>(alreadyArchived);
    s.addAll(exhausted);
    return s;
  }
}
