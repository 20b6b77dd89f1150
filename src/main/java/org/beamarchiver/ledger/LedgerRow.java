package org.beamarchiver.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.sql.Sql;

/** One row of {@code archival_metadata}, as read back. */
public record LedgerRow(
    String uuid,
    String type,
    String batchId,
    String collectionId,
    String period,
    Instant archivalDate,
    Instant completionDate,
    ArchiveStatus archivalStatus,
    DeletionStatus deletionStatus,
    int iteration,
    String requestData,
    String blobUrl,
    String errMessage,
    Long rowCount,
    Long byteSize,
    String checksumSha256,
    Instant minTime,
    Instant maxTime,
    String runId,
    Instant deletionDate,
    Long deletedRows,
    Long skippedChangedRows,
    Long absentRows,
    String deletionRunId,
    String pendingBlobUrl,
    String pendingRunId,
    String rollupStats,
    String manifestUrl,
    Instant verifiedAt,
    String verifyResult,
    String familyFiles) {

  /** The columns {@link #read} reads. */
  static final String COLUMNS =
      "uuid, type, batchid, collectionid, period, archival_date, completion_date, archival_status,"
          + " deletion_status, iteration, request_data, blob_url, err_message, row_count, byte_size,"
          + " checksum_sha256, min_time, max_time, run_id, deletion_date, deleted_rows,"
          + " skipped_changed_rows, absent_rows, deletion_run_id, pending_blob_url, pending_run_id,"
          + " rollup_stats, manifest_url, verified_at, verify_result, family_files";

  /** The archived partition this row describes, with what its file must hold (-1 where unknown). */
  public ArchivedPartition archivedPartition() {
    return new ArchivedPartition(
        uuid,
        PartitionKey.of(batchId, IsoWeek.parse(period)),
        blobUrl,
        rowCount == null ? -1 : rowCount,
        byteSize == null ? -1 : byteSize,
        checksumSha256,
        familyFiles);
  }

  /** Whether the partition is archived ({@code archival_status} SUCCESS). */
  public boolean archived() {
    return archivalStatus == ArchiveStatus.SUCCESS;
  }

  /** Whether the partition's rows are deleted ({@code deletion_status} SUCCESS). */
  public boolean deleted() {
    return deletionStatus == DeletionStatus.SUCCESS;
  }

  /** Reads the {@link #COLUMNS} of the current row. */
  static LedgerRow read(ResultSet rs) throws SQLException {
    String deletion = rs.getString("deletion_status");
    return new LedgerRow(
        rs.getString("uuid"),
        rs.getString("type"),
        rs.getString("batchid"),
        rs.getString("collectionid"),
        rs.getString("period"),
        Sql.instant(rs, "archival_date"),
        Sql.instant(rs, "completion_date"),
        ArchiveStatus.valueOf(rs.getString("archival_status")),
        deletion == null ? null : DeletionStatus.valueOf(deletion),
        rs.getInt("iteration"),
        rs.getString("request_data"),
        rs.getString("blob_url"),
        rs.getString("err_message"),
        Sql.longOrNull(rs, "row_count"),
        Sql.longOrNull(rs, "byte_size"),
        rs.getString("checksum_sha256"),
        Sql.instant(rs, "min_time"),
        Sql.instant(rs, "max_time"),
        rs.getString("run_id"),
        Sql.instant(rs, "deletion_date"),
        Sql.longOrNull(rs, "deleted_rows"),
        Sql.longOrNull(rs, "skipped_changed_rows"),
        Sql.longOrNull(rs, "absent_rows"),
        rs.getString("deletion_run_id"),
        rs.getString("pending_blob_url"),
        rs.getString("pending_run_id"),
        rs.getString("rollup_stats"),
        rs.getString("manifest_url"),
        Sql.instant(rs, "verified_at"),
        rs.getString("verify_result"),
        rs.getString("family_files"));
  }
}
