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
 * Everything an archive launch resolved before the pipeline starts: the table, the request, the
 * partitions already archived, and the run's identity.
 */
public record ArchiveRun(
    String runId,
    Instant startedAt,
    TableSpec spec,
    CassandraTable table,
    ArchiveRequest request,
    Set<PartitionKey> alreadyArchived,
    CassandraConnection cassandra,
    LedgerConnection ledger,
    String archiveRoot,
    String requestData,
    int splits) {}
