package org.beamarchiver.ledger;

import org.beamarchiver.sql.JdbcEndpoint;
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
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.ArchivedFile;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.options.LedgerOptions;
import org.beamarchiver.retry.Outage;
import org.flywaydb.core.Flyway;

/**
 * The ledger: {@code archival_metadata} in any JDBC database the project supports (PostgreSQL,
 * H2). The schema is created and versioned by Flyway. Every write is an upsert keyed by (type,
 * batch, period) in one transaction, in portable SQL, so retries and reruns never duplicate a row.
 */
public final class Ledger {
  public static final String SUCCESS = "SUCCESS";
  public static final String FAILED = "FAILED";
  /** Written ahead of a partition's object: a run is writing it (see {@code pending_blob_url}). */
  public static final String PENDING = "PENDING";
  /** An archive replaced by a forced re-archive (in {@code archival_history}). */
  public static final String SUPERSEDED = "SUPERSEDED";

  private static final String READ_COLUMNS =
      "uuid, type, batchid, collectionid, period, archival_date, completion_date, archival_status,"
          + " deletion_status, iteration, request_data, blob_url, err_message, row_count, byte_size,"
          + " checksum_sha256, min_time, max_time, run_id, deletion_date, deleted_rows,"
          + " skipped_changed_rows, absent_rows, deletion_run_id, pending_blob_url, pending_run_id,"
          + " rollup_stats, manifest_url, verified_at, verify_result";

  private static final String COLUMNS =
      "uuid, type, batchid, collectionid, period, archival_date, completion_date, archival_status,"
          + " deletion_status, iteration, request_data, blob_url, err_message, row_count, byte_size,"
          + " checksum_sha256, min_time, max_time, run_id, rollup_stats";

  private final JdbcEndpoint connection;

  public Ledger(JdbcEndpoint connection) {
    this.connection = connection;
  }

  /** The ledger database named by the options; the password from LEDGER_PASSWORD if not given. */
  public static JdbcEndpoint endpoint(LedgerOptions o) {
    String url = o.getLedgerUrl();
    if (url == null || !url.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "--ledgerUrl must be a JDBC URL (jdbc:postgresql://host:port/db or jdbc:h2:<file>), got "
              + url);
    }
    url = JdbcEndpoint.absoluteH2(url);
    String password = o.getLedgerPassword();
    if (password == null || password.isEmpty()) {
      password = System.getenv("LEDGER_PASSWORD");
    }
    return new JdbcEndpoint(
        url,
        o.getLedgerUsername() == null || o.getLedgerUsername().isEmpty()
            ? null
            : o.getLedgerUsername(),
        password == null || password.isEmpty() ? null : password,
        Outage.ofSeconds(o.getMaxOutageSeconds()));
  }

  /** Creates or upgrades the schema. Safe to call on every launch. */
  public void migrate() {
    // Each migration runs in its own transaction and is recorded once done: a rerun after a lost
    // connection goes on with the ones left.
    connection.outage().call(
        "migrate the ledger schema",
        () ->
            Flyway.configure()
                .dataSource(connection.url(), connection.username(), connection.password())
                .locations("classpath:db/migration")
                .table("archiver_schema_history")
                .load()
                .migrate());
  }

  /** The stable id of a partition's ledger row. */
  public static String uuidOf(String type, PartitionKey key) {
    return UUID.nameUUIDFromBytes(
            (type + "\u0000" + key.batchId() + "\u0000" + key.period())
                .getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** The ledger rows of the request's partitions (any status), by partition. */
  public java.util.Map<PartitionKey, LedgerRow> partitionRows(String type, ArchiveRequest request)
      throws SQLException {
    java.util.Map<PartitionKey, LedgerRow> out = new java.util.HashMap<>();
    for (LedgerRow r : rowsOfRequest(type, request)) {
      out.put(PartitionKey.of(r.batchId(), IsoWeek.parse(r.period())), r);
    }
    return out;
  }

  /** Most batch ids a query names in SQL; longer lists are filtered after the period's rows are read. */
  static final int MAX_BATCHES_IN_SQL = 500;

  /**
   * The ledger rows of the request's partitions (any status), ordered by batch and period. The
   * database selects them by period range (ISO weeks as {@code YYYY-Www} sort as text) and batch
   * ids, so the launcher holds the request's rows, not the ledger's.
   */
  public List<LedgerRow> rowsOfRequest(String type, ArchiveRequest request) throws SQLException {
    if (request.isEmpty() || request.toExclusive().isEmpty()) {
      return List.of();
    }
    StringBuilder where = new StringBuilder("WHERE type = ?");
    List<String> args = new ArrayList<>();
    args.add(type);
    if (request.fromInclusive().isPresent()) {
      where.append(" AND period >= ?");
      args.add(IsoWeek.of(request.fromInclusive().get()).toString());
    }
    where.append(" AND period <= ?");
    args.add(IsoWeek.of(request.toExclusive().get().minusMillis(1)).toString());
    java.util.SortedSet<String> batches = request.batchIds();
    if (!batches.isEmpty() && batches.size() <= MAX_BATCHES_IN_SQL) {
      where.append(" AND batchid IN (").append(String.join(", ", java.util.Collections.nCopies(batches.size(), "?"))).append(")");
      args.addAll(batches);
    }
    where.append(" ORDER BY batchid, period");
    List<LedgerRow> out = new ArrayList<>();
    for (LedgerRow r : query(where.toString(), args.toArray(new String[0]))) {
      if (request.coversWeek(IsoWeek.parse(r.period())) && request.coversBatch(r.batchId())) {
        out.add(r);
      }
    }
    return out;
  }

  /** Whether any of these object URLs is the current archive ({@code blob_url}) of a row of the type. */
  public boolean anyCurrentObject(String type, java.util.Collection<String> urls) throws SQLException {
    return connection.call(
        "look up archive objects",
        c -> {
          List<String> all = new ArrayList<>(urls);
          for (int from = 0; from < all.size(); from += MAX_BATCHES_IN_SQL) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + MAX_BATCHES_IN_SQL));
            try (PreparedStatement s =
                c.prepareStatement(
                    "SELECT 1 FROM archival_metadata WHERE type = ? AND blob_url IN ("
                        + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")")) {
              s.setString(1, type);
              for (int i = 0; i < chunk.size(); i++) {
                s.setString(i + 2, chunk.get(i));
              }
              try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                  return true;
                }
              }
            }
          }
          return false;
        });
  }

  /** The ledger rows of one batch, ordered by period. */
  public List<LedgerRow> rowsOfBatch(String type, String batchId) throws SQLException {
    return query("WHERE type = ? AND batchid = ? ORDER BY batchid, period", type, batchId);
  }

  /** Archived (SUCCESS) rows of a type that no manifest lists yet, ordered by batch and period. */
  public List<LedgerRow> unsignedRows(String type) throws SQLException {
    return query(
        "WHERE type = ? AND archival_status = ? AND manifest_url IS NULL AND blob_url IS NOT NULL ORDER BY batchid, period",
        type, SUCCESS);
  }

  /** Partitions of the request already archived with SUCCESS. */
  public Set<PartitionKey> archivedPartitions(String type, ArchiveRequest request)
      throws SQLException {
    return connection.call(
        "read archived partitions",
        c -> {
          Set<PartitionKey> out = new HashSet<>();
          try (PreparedStatement s =
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
        });
  }

  /**
   * Records an archived (or failed) partition and clears its write-ahead. A SUCCESS row of another
   * run is never overwritten, except by a forced re-archive that succeeded: then the old archive is
   * copied to {@code archival_history} as SUPERSEDED, in the same transaction, and its object is
   * returned for removal. A retry of the same run rewrites its own row; a new run over a FAILED row
   * increments {@code iteration}.
   */
  public static Upsert upsertArchive(
      Connection c,
      String type,
      ArchivedFile file,
      String runId,
      Instant archivalDate,
      String requestData,
      boolean force)
      throws SQLException {
    String uuid = uuidOf(type, file.partition());
    return inTransaction(
        c,
        () -> {
          Integer iteration = null;
          String status = null;
          String oldRun = null;
          String oldBlob = null;
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT iteration, archival_status, run_id, blob_url FROM archival_metadata WHERE uuid = ? FOR UPDATE")) {
            s.setString(1, uuid);
            try (ResultSet rs = s.executeQuery()) {
              if (rs.next()) {
                iteration = rs.getInt(1);
                status = rs.getString(2);
                oldRun = rs.getString(3);
                oldBlob = rs.getString(4);
              }
            }
          }
          boolean written;
          String superseded = null;
          if (iteration == null) {
            try (PreparedStatement s =
                c.prepareStatement(
                    "INSERT INTO archival_metadata ("
                        + COLUMNS
                        + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
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
          } else if (SUCCESS.equals(status) && !runId.equals(oldRun) && !(force && file.succeeded())) {
            // The archive of another run stands. A failed forced attempt keeps its write-ahead: the
            // run's reconciliation removes what the attempt may have left, then closes it.
            if (file.succeeded()) {
              clearPending(c, uuid, runId);
            }
            written = false;
          } else {
            if (SUCCESS.equals(status) && !runId.equals(oldRun) && !file.blobUrl().equals(oldBlob)) {
              supersede(c, uuid, runId);
              superseded = oldBlob;
            }
            int next = runId.equals(oldRun) ? iteration : iteration + 1;
            try (PreparedStatement s =
                c.prepareStatement(
                    "UPDATE archival_metadata SET collectionid = ?, archival_date = ?,"
                        + " completion_date = ?, archival_status = ?, iteration = ?, request_data = ?,"
                        + " blob_url = ?, err_message = ?, row_count = ?, byte_size = ?,"
                        + " checksum_sha256 = ?, min_time = ?, max_time = ?, run_id = ?, rollup_stats = ?,"
                        + " manifest_url = NULL, verified_at = NULL, verify_result = NULL,"
                        + (file.succeeded() ? " pending_blob_url = NULL, pending_run_id = NULL," : "")
                        + " deletion_status = NULL,"
                        + " deletion_date = NULL, deleted_rows = NULL, skipped_changed_rows = NULL,"
                        + " absent_rows = NULL, deletion_run_id = NULL WHERE uuid = ?")) {
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
          return new Upsert(written, superseded, superseded == null ? null : oldRun);
        });
  }

  /** One unit of ledger work inside a transaction. */
  private interface Work<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction on {@code c}, rolled back on an error; a unique-key
   * violation (23505: a concurrent insert of the same row) is retried up to three times, reading
   * again.
   */
  private static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
    for (int attempt = 0; ; attempt++) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        T result = work.run();
        c.commit();
        return result;
      } catch (SQLException e) {
        c.rollback();
        if ("23505".equals(e.getSQLState()) && attempt < 3) {
          continue;
        }
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  /** What {@link #upsertArchive} did; {@code supersededBlob} is an object now to be removed. */
  public record Upsert(boolean written, String supersededBlob, String supersededRun) {}

  private static void supersede(Connection c, String uuid, String byRun) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO archival_history (uuid, run_id, type, batchid, period, iteration,"
                + " archival_status, archival_date, blob_url, row_count, byte_size, checksum_sha256,"
                + " superseded_date, superseded_by_run, object_removed, rollup_stats, manifest_url)"
                + " SELECT uuid, run_id, type, batchid, period, iteration, ?, archival_date, blob_url,"
                + " row_count, byte_size, checksum_sha256, ?, ?, ?, rollup_stats, manifest_url"
                + " FROM archival_metadata WHERE uuid = ?")) {
      s.setString(1, SUPERSEDED);
      s.setObject(2, odt(Instant.now()));
      s.setString(3, byRun);
      s.setBoolean(4, false);
      s.setString(5, uuid);
      s.executeUpdate();
    }
  }

  private static void clearPending(Connection c, String uuid, String runId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE archival_metadata SET pending_blob_url = NULL, pending_run_id = NULL"
                + " WHERE uuid = ? AND pending_run_id = ?")) {
      s.setString(1, uuid);
      s.setString(2, runId);
      s.executeUpdate();
    }
  }

  /**
   * Write-ahead, before a partition's object is written: records which object this run is about
   * to create, so that a run that dies before recording the outcome leaves no orphan (the next run
   * removes it). Creates the partition's row as PENDING when it has none.
   */
  public static void markPending(
      Connection c,
      String type,
      PartitionKey key,
      String blobUrl,
      String runId,
      Instant archivalDate,
      String requestData)
      throws SQLException {
    String uuid = uuidOf(type, key);
    inTransaction(
        c,
        () -> {
          int updated;
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE archival_metadata SET pending_blob_url = ?, pending_run_id = ? WHERE uuid = ?")) {
            s.setString(1, blobUrl);
            s.setString(2, runId);
            s.setString(3, uuid);
            updated = s.executeUpdate();
          }
          if (updated == 0) {
            try (PreparedStatement s =
                c.prepareStatement(
                    "INSERT INTO archival_metadata (uuid, type, batchid, period, archival_date,"
                        + " archival_status, iteration, request_data, run_id, pending_blob_url,"
                        + " pending_run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
              int i = 1;
              s.setString(i++, uuid);
              s.setString(i++, type);
              s.setString(i++, key.batchId());
              s.setString(i++, key.period());
              s.setObject(i++, odt(archivalDate));
              s.setString(i++, PENDING);
              s.setInt(i++, 1);
              s.setString(i++, requestData);
              s.setString(i++, runId);
              s.setString(i++, blobUrl);
              s.setString(i, runId);
              s.executeUpdate();
            }
          }
          return null;
        });
  }

  /** Rows of a type with a write-ahead left by a run other than {@code exceptRun} (may be null). */
  public List<LedgerRow> pendingRows(String type, String exceptRun) throws SQLException {
    List<LedgerRow> out = new ArrayList<>();
    for (LedgerRow r : query("WHERE type = ? AND pending_run_id IS NOT NULL ORDER BY batchid, period", type)) {
      if (!r.pendingRunId().equals(exceptRun)) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * Closes a write-ahead whose run never recorded the outcome, after its object was removed: the
   * pending columns are cleared and a PENDING row becomes FAILED with the reason.
   */
  public void closePending(String uuid, String pendingRun, String reason) throws SQLException {
    connection.call(
        "close the write-ahead of " + uuid,
        c -> {
          try (PreparedStatement s =
                  c.prepareStatement(
                      "UPDATE archival_metadata SET pending_blob_url = NULL, pending_run_id = NULL,"
                          + " archival_status = CASE WHEN archival_status = ? THEN ? ELSE archival_status END,"
                          + " err_message = CASE WHEN archival_status = ? THEN ? ELSE err_message END"
                          + " WHERE uuid = ? AND pending_run_id = ?")) {
            s.setString(1, PENDING);
            s.setString(2, FAILED);
            s.setString(3, PENDING);
            s.setString(4, reason);
            s.setString(5, uuid);
            s.setString(6, pendingRun);
            s.executeUpdate();
          }
          return null;
        });
  }

  /** Marks a SUCCESS row FAILED because its object is not what the row says (post-run check). */
  public void markObjectBad(String uuid, String runId, String reason) throws SQLException {
    connection.call(
        "mark partition " + uuid + " FAILED",
        c -> {
          try (PreparedStatement s =
                  c.prepareStatement(
                      "UPDATE archival_metadata SET archival_status = ?, err_message = ?"
                          + " WHERE uuid = ? AND run_id = ? AND archival_status = ?")) {
            s.setString(1, FAILED);
            s.setString(2, reason);
            s.setString(3, uuid);
            s.setString(4, runId);
            s.setString(5, SUCCESS);
            s.executeUpdate();
          }
          return null;
        });
  }

  /** A superseded archive whose object has not been removed yet. */
  public record Superseded(String uuid, String runId, String batchId, String period, String blobUrl) {}

  public List<Superseded> supersededNotRemoved(String type) throws SQLException {
    return connection.call(
        "read superseded archives",
        c -> {
          List<Superseded> out = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT uuid, run_id, batchid, period, blob_url FROM archival_history"
                          + " WHERE type = ? AND object_removed = ? ORDER BY batchid, period")) {
            s.setString(1, type);
            s.setBoolean(2, false);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                out.add(new Superseded(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
              }
            }
          }
          return out;
        });
  }

  public void markSupersededRemoved(String uuid, String runId) throws SQLException {
    connection.call(
        "record a superseded object removed",
        c -> {
          markSupersededRemoved(c, uuid, runId);
          return null;
        });
  }

  public static void markSupersededRemoved(Connection c, String uuid, String runId)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE archival_history SET object_removed = ? WHERE uuid = ? AND run_id = ?")) {
      s.setBoolean(1, true);
      s.setString(2, uuid);
      s.setString(3, runId);
      s.executeUpdate();
    }
  }

  /** Every superseded archive of a type (for status and tests). */
  public List<java.util.Map<String, Object>> history(String type) throws SQLException {
    return connection.call(
        "read archive history",
        c -> {
          List<java.util.Map<String, Object>> out = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT uuid, run_id, batchid, period, iteration, archival_status, blob_url,"
                          + " checksum_sha256, superseded_by_run, object_removed FROM archival_history"
                          + " WHERE type = ? ORDER BY batchid, period, iteration")) {
            s.setString(1, type);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                  m.put(rs.getMetaData().getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs.getObject(i));
                }
                out.add(m);
              }
            }
          }
          return out;
        });
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
    s.setString(i++, file.succeeded() ? file.rollupJson() : null);
    return i;
  }

  /**
   * Partitions of the request that are archived (SUCCESS) and not yet deleted (deletion status
   * absent or not SUCCESS): what the verified delete works on.
   */
  public List<ArchivedPartition> partitionsToDelete(String type, ArchiveRequest request)
      throws SQLException {
    List<ArchivedPartition> out = new ArrayList<>();
    for (LedgerRow r : rowsOfRequest(type, request)) {
      if (SUCCESS.equals(r.archivalStatus()) && !SUCCESS.equals(r.deletionStatus())) {
        out.add(r.archivedPartition());
      }
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
      String status,
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
      s.setString(i++, status);
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

  /**
   * Write-ahead of the verified delete, before its first row is deleted: the partition's deletion
   * is PENDING under this run, so that if the run dies (or gives up) with deletes sent but not
   * confirmed, the next run knows to check its rows in repair mode. Returns the deletion status the
   * partition had (PENDING: an earlier delete was interrupted). Safe to repeat.
   */
  public static String markDeletionPending(Connection c, String uuid, String runId) throws SQLException {
    return inTransaction(
        c,
        () -> {
          String previous = null;
          try (PreparedStatement s =
              c.prepareStatement("SELECT deletion_status FROM archival_metadata WHERE uuid = ? FOR UPDATE")) {
            s.setString(1, uuid);
            try (ResultSet rs = s.executeQuery()) {
              if (rs.next()) {
                previous = rs.getString(1);
              }
            }
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE archival_metadata SET deletion_status = ?, deletion_run_id = ?"
                      + " WHERE uuid = ? AND archival_status = ? AND (deletion_status IS NULL OR deletion_status <> ?)")) {
            s.setString(1, PENDING);
            s.setString(2, runId);
            s.setString(3, uuid);
            s.setString(4, SUCCESS);
            s.setString(5, SUCCESS);
            s.executeUpdate();
          }
          return previous;
        });
  }

  /**
   * Points archived rows at the signed manifest that lists their files; only rows still holding
   * the object the manifest lists (a row re-archived meanwhile keeps its own).
   */
  public void setManifest(Map<String, String> blobByUuid, String manifestUrl) throws SQLException {
    connection.call(
        "record manifest " + manifestUrl,
        c -> {
          inTransaction(
              c,
              () -> {
                try (PreparedStatement s =
                    c.prepareStatement(
                        "UPDATE archival_metadata SET manifest_url = ? WHERE uuid = ? AND blob_url = ? AND archival_status = ?")) {
                  for (Map.Entry<String, String> e : blobByUuid.entrySet()) {
                    s.setString(1, manifestUrl);
                    s.setString(2, e.getKey());
                    s.setString(3, e.getValue());
                    s.setString(4, SUCCESS);
                    s.addBatch();
                  }
                  s.executeBatch();
                }
                return null;
              });
          return null;
        });
  }

  /** Records the latest verification of a row's file ({@code verify}, and refusals of delete). */
  public void recordVerification(String uuid, String result) throws SQLException {
    connection.call(
        "record the verification of " + uuid,
        c -> {
          try (PreparedStatement s =
                  c.prepareStatement("UPDATE archival_metadata SET verified_at = ?, verify_result = ? WHERE uuid = ?")) {
            s.setObject(1, odt(Instant.now()));
            s.setString(2, result.length() > 4000 ? result.substring(0, 4000) : result);
            s.setString(3, uuid);
            s.executeUpdate();
          }
          return null;
        });
  }

  /** Every object URL the ledger knows for a type: current, pending and superseded not yet removed. */
  public Set<String> knownObjects(String type) throws SQLException {
    return connection.call(
        "read known objects",
        c -> {
          Set<String> out = new HashSet<>();
          // Only the two URL columns: a ledger row read whole is ~1.5 KB on the heap.
          try (PreparedStatement s =
                  c.prepareStatement("SELECT blob_url, pending_blob_url FROM archival_metadata WHERE type = ?")) {
            s.setString(1, type);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                for (int i = 1; i <= 2; i++) {
                  if (rs.getString(i) != null) {
                    out.add(rs.getString(i));
                  }
                }
              }
            }
          }
          for (Superseded s : supersededNotRemoved(type)) {
            out.add(s.blobUrl());
          }
          return out;
        });
  }

  /** One restore of a partition, as the ledger keeps it. */
  public record Restore(
      String runId, String uuid, String batchId, String period, String blobUrl, String target, Instant restoredAt,
      long rows, String status, String error) {}

  /** Records (or, on a bundle retry, rewrites) what a restore run did to one partition. */
  public static void recordRestore(Connection c, String type, Restore r) throws SQLException {
    inTransaction(
        c,
        () -> {
          try (PreparedStatement d =
              c.prepareStatement("DELETE FROM archival_restore WHERE restore_run_id = ? AND uuid = ?")) {
            d.setString(1, r.runId());
            d.setString(2, r.uuid());
            d.executeUpdate();
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO archival_restore (restore_run_id, uuid, type, batchid, period, blob_url, target_table,"
                      + " restored_at, rows_written, status, err_message) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
            int i = 1;
            s.setString(i++, r.runId());
            s.setString(i++, r.uuid());
            s.setString(i++, type);
            s.setString(i++, r.batchId());
            s.setString(i++, r.period());
            s.setString(i++, r.blobUrl());
            s.setString(i++, r.target());
            s.setObject(i++, odt(r.restoredAt()));
            s.setLong(i++, r.rows());
            s.setString(i++, r.status());
            s.setString(i++, r.error());
            s.executeUpdate();
          }
          return null;
        });
  }

  /** Restores of a type, newest first. */
  public List<Restore> restores(String type) throws SQLException {
    return connection.call(
        "read restores",
        c -> {
          List<Restore> out = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT restore_run_id, uuid, batchid, period, blob_url, target_table, restored_at, rows_written,"
                          + " status, err_message FROM archival_restore WHERE type = ? ORDER BY restored_at DESC, batchid, period")) {
            s.setString(1, type);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new Restore(
                        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), instant(rs, "restored_at"), rs.getLong(8), rs.getString(9), rs.getString(10)));
              }
            }
          }
          return out;
        });
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

  private List<LedgerRow> query(String where, String... args) throws SQLException {
    return connection.call(
        "read the ledger",
        c -> {
          List<LedgerRow> rows = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement("SELECT " + READ_COLUMNS + " FROM archival_metadata " + where)) {
            for (int i = 0; i < args.length; i++) {
              s.setString(i + 1, args[i]);
            }
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
                        rs.getString("deletion_run_id"),
                        rs.getString("pending_blob_url"),
                        rs.getString("pending_run_id"),
                        rs.getString("rollup_stats"),
                        rs.getString("manifest_url"),
                        instant(rs, "verified_at"),
                        rs.getString("verify_result")));
              }
            }
          }
          return rows;
        });
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static OffsetDateTime odt(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
