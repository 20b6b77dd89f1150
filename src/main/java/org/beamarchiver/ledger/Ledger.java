package org.beamarchiver.ledger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.ArchivedFile;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.PartitionKey;
import org.flywaydb.core.Flyway;

/**
 * The ledger: {@code archival_metadata} in any JDBC database the project supports (PostgreSQL,
 * H2). The schema is created and versioned by Flyway. Every write is an upsert keyed by (type,
 * batch, period) in one transaction, in portable SQL, so retries and reruns never duplicate a row.
 */
public final class Ledger {
  public static final String SUCCESS = "SUCCESS";
  public static final String FAILED = "FAILED";

  private static final String READ_COLUMNS =
      "uuid, type, batchid, collectionid, period, archival_date, completion_date, archival_status,"
          + " deletion_status, iteration, request_data, blob_url, err_message, row_count, byte_size,"
          + " checksum_sha256, min_time, max_time, run_id, deletion_date, deleted_rows,"
          + " skipped_changed_rows, absent_rows, deletion_run_id";

  private static final String COLUMNS =
      "uuid, type, batchid, collectionid, period, archival_date, completion_date, archival_status,"
          + " deletion_status, iteration, request_data, blob_url, err_message, row_count, byte_size,"
          + " checksum_sha256, min_time, max_time, run_id";

  private final LedgerConnection connection;

  public Ledger(LedgerConnection connection) {
    this.connection = connection;
  }

  /** Creates or upgrades the schema. Safe to call on every launch. */
  public void migrate() {
    Flyway.configure()
        .dataSource(connection.url(), connection.username(), connection.password())
        .locations("classpath:db/migration")
        .table("archiver_schema_history")
        .load()
        .migrate();
  }

  /** The stable id of a partition's ledger row. */
  public static String uuidOf(String type, PartitionKey key) {
    return UUID.nameUUIDFromBytes(
            (type + "\u0000" + key.batchId() + "\u0000" + key.period())
                .getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** Partitions of the request already archived with SUCCESS. */
  public Set<PartitionKey> archivedPartitions(String type, ArchiveRequest request)
      throws SQLException {
    Set<PartitionKey> out = new HashSet<>();
    try (Connection c = connection.open();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT batchid, period FROM archival_metadata WHERE type = ? AND archival_status = ?")) {
      s.setString(1, type);
      s.setString(2, SUCCESS);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          IsoWeek week = IsoWeek.parse(rs.getString(2));
          String batch = rs.getString(1);
          if (request.coversWeek(week) && request.coversBatch(batch)) {
            out.add(PartitionKey.of(batch, week));
          }
        }
      }
    }
    return out;
  }

  /**
   * Records an archived (or failed) partition. A SUCCESS row of another run is never overwritten;
   * a retry of the same run rewrites its own row; a new run over a FAILED row increments {@code
   * iteration}.
   *
   * @return true when the row was written
   */
  public static boolean upsertArchive(
      Connection c,
      String type,
      ArchivedFile file,
      String runId,
      Instant archivalDate,
      String requestData)
      throws SQLException {
    String uuid = uuidOf(type, file.partition());
    for (int attempt = 0; ; attempt++) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        Integer iteration = null;
        String status = null;
        String oldRun = null;
        try (PreparedStatement s =
            c.prepareStatement(
                "SELECT iteration, archival_status, run_id FROM archival_metadata WHERE uuid = ? FOR UPDATE")) {
          s.setString(1, uuid);
          try (ResultSet rs = s.executeQuery()) {
            if (rs.next()) {
              iteration = rs.getInt(1);
              status = rs.getString(2);
              oldRun = rs.getString(3);
            }
          }
        }
        boolean written;
        if (iteration == null) {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO archival_metadata ("
                      + COLUMNS
                      + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            int i = 1;
            s.setString(i++, uuid);
            s.setString(i++, type);
            s.setString(i++, file.partition().batchId());
            s.setString(i++, file.collectionIds());
            s.setString(i++, file.partition().period());
            s.setObject(i++, odt(archivalDate));
            s.setObject(i++, odt(Instant.now()));
            s.setString(i++, file.succeeded() ? SUCCESS : FAILED);
            s.setNull(i++, Types.VARCHAR);
            s.setInt(i++, 1);
            setFile(s, i, file, requestData, runId);
            s.executeUpdate();
          }
          written = true;
        } else if (SUCCESS.equals(status) && !runId.equals(oldRun)) {
          written = false;
        } else {
          int next = runId.equals(oldRun) ? iteration : iteration + 1;
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE archival_metadata SET collectionid = ?, archival_date = ?,"
                      + " completion_date = ?, archival_status = ?, iteration = ?, request_data = ?,"
                      + " blob_url = ?, err_message = ?, row_count = ?, byte_size = ?,"
                      + " checksum_sha256 = ?, min_time = ?, max_time = ?, run_id = ? WHERE uuid = ?")) {
            int i = 1;
            s.setString(i++, file.collectionIds());
            s.setObject(i++, odt(archivalDate));
            s.setObject(i++, odt(Instant.now()));
            s.setString(i++, file.succeeded() ? SUCCESS : FAILED);
            s.setInt(i++, next);
            i = setFile(s, i, file, requestData, runId);
            s.setString(i, uuid);
            s.executeUpdate();
          }
          written = true;
        }
        c.commit();
        return written;
      } catch (SQLException e) {
        c.rollback();
        // 23505: unique violation, a concurrent insert of the same partition; read it again.
        if ("23505".equals(e.getSQLState()) && attempt < 3) {
          continue;
        }
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  private static int setFile(
      PreparedStatement s, int i, ArchivedFile file, String requestData, String runId)
      throws SQLException {
    s.setString(i++, requestData);
    s.setString(i++, file.blobUrl());
    s.setString(i++, file.error());
    if (file.succeeded()) {
      s.setLong(i++, file.rowCount());
      s.setLong(i++, file.byteSize());
      s.setString(i++, file.sha256());
      s.setObject(i++, odt(Instant.ofEpochMilli(file.minTimeMillis())));
      s.setObject(i++, odt(Instant.ofEpochMilli(file.maxTimeMillis())));
    } else {
      s.setNull(i++, Types.BIGINT);
      s.setNull(i++, Types.BIGINT);
      s.setNull(i++, Types.VARCHAR);
      s.setNull(i++, Types.TIMESTAMP_WITH_TIMEZONE);
      s.setNull(i++, Types.TIMESTAMP_WITH_TIMEZONE);
    }
    s.setString(i++, runId);
    return i;
  }

  /**
   * Partitions of the request that are archived (SUCCESS) and not yet deleted (deletion status
   * absent or not SUCCESS): what the verified delete works on.
   */
  public List<ArchivedPartition> partitionsToDelete(String type, ArchiveRequest request)
      throws SQLException {
    List<ArchivedPartition> out = new ArrayList<>();
    for (LedgerRow r : rowsOfType(type)) {
      if (!SUCCESS.equals(r.archivalStatus()) || SUCCESS.equals(r.deletionStatus())) {
        continue;
      }
      IsoWeek week = IsoWeek.parse(r.period());
      if (!request.coversWeek(week) || !request.coversBatch(r.batchId())) {
        continue;
      }
      out.add(
          new ArchivedPartition(
              r.uuid(),
              PartitionKey.of(r.batchId(), week),
              r.blobUrl(),
              r.rowCount() == null ? -1 : r.rowCount(),
              r.byteSize() == null ? -1 : r.byteSize(),
              r.checksumSha256()));
    }
    return out;
  }

  /**
   * Records what the verified delete did to one partition. Only touches a row whose archive is
   * SUCCESS; rewriting the same values is harmless, so bundle retries are safe.
   */
  public static void recordDeletion(
      Connection c,
      String uuid,
      boolean success,
      long deleted,
      long skippedChanged,
      long absent,
      String error,
      String runId)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE archival_metadata SET deletion_status = ?, deletion_date = ?, deleted_rows = ?,"
                + " skipped_changed_rows = ?, absent_rows = ?, deletion_run_id = ?, err_message = ?"
                + " WHERE uuid = ? AND archival_status = ?")) {
      int i = 1;
      s.setString(i++, success ? SUCCESS : FAILED);
      s.setObject(i++, odt(Instant.now()));
      s.setLong(i++, deleted);
      s.setLong(i++, skippedChanged);
      s.setLong(i++, absent);
      s.setString(i++, runId);
      s.setString(i++, error == null ? null : "delete: " + error);
      s.setString(i++, uuid);
      s.setString(i, SUCCESS);
      s.executeUpdate();
    }
  }

  /** Rows whose deletion was recorded by one run. */
  public List<LedgerRow> rowsOfDeletionRun(String runId) throws SQLException {
    return query("WHERE deletion_run_id = ? ORDER BY batchid, period", runId);
  }

  /** Rows of one run, ordered by batch and period. */
  public List<LedgerRow> rowsOfRun(String runId) throws SQLException {
    return query("WHERE run_id = ? ORDER BY batchid, period", runId);
  }

  /** Every row of a type, ordered by batch and period. */
  public List<LedgerRow> rowsOfType(String type) throws SQLException {
    return query("WHERE type = ? ORDER BY batchid, period", type);
  }

  private List<LedgerRow> query(String where, String arg) throws SQLException {
    List<LedgerRow> rows = new ArrayList<>();
    try (Connection c = connection.open();
        PreparedStatement s =
            c.prepareStatement("SELECT " + READ_COLUMNS + " FROM archival_metadata " + where)) {
      s.setString(1, arg);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new LedgerRow(
                  rs.getString("uuid"),
                  rs.getString("type"),
                  rs.getString("batchid"),
                  rs.getString("collectionid"),
                  rs.getString("period"),
                  instant(rs, "archival_date"),
                  instant(rs, "completion_date"),
                  rs.getString("archival_status"),
                  rs.getString("deletion_status"),
                  rs.getInt("iteration"),
                  rs.getString("request_data"),
                  rs.getString("blob_url"),
                  rs.getString("err_message"),
                  (Long) rs.getObject("row_count", Long.class),
                  (Long) rs.getObject("byte_size", Long.class),
                  rs.getString("checksum_sha256"),
                  instant(rs, "min_time"),
                  instant(rs, "max_time"),
                  rs.getString("run_id"),
                  instant(rs, "deletion_date"),
                  (Long) rs.getObject("deleted_rows", Long.class),
                  (Long) rs.getObject("skipped_changed_rows", Long.class),
                  (Long) rs.getObject("absent_rows", Long.class),
                  rs.getString("deletion_run_id")));
        }
      }
    }
    return rows;
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static OffsetDateTime odt(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
