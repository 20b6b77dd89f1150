package org.beamarchiver.pipelines;

import org.beamarchiver.io.source.Family;
import java.time.Instant;
import java.util.List;
import org.beamarchiver.io.source.LiveSource;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.DeletionReport;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.spec.TableSpec;

/** Everything a delete launch resolved before the pipeline starts. */
public record DeleteRun(
    String runId,
    Instant startedAt,
    TableSpec spec,
    SourceTable table,
    ArchiveRequest request,
    List<ArchivedPartition> partitions,
    LiveSource source,
    JdbcEndpoint ledger,
    String archiveRoot,
    boolean dryRun,
    List<DeletionReport> refused,
    Family family) {
  public DeleteRun(
      String runId, Instant startedAt, TableSpec spec, SourceTable table, ArchiveRequest request,
      List<ArchivedPartition> partitions, LiveSource source, JdbcEndpoint ledger, String archiveRoot, boolean dryRun,
      List<DeletionReport> refused) {
    this(runId, startedAt, spec, table, request, partitions, source, ledger, archiveRoot, dryRun, refused, null);
  }
}
