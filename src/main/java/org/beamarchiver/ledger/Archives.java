package org.beamarchiver.ledger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.UUID;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.ArchivedFile;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.sql.Database;
import org.beamarchiver.sql.Sql;
import org.beamarchiver.sql.Sql.Columns;

/**
 * The archives in the ledger: one {@code archival_metadata} row per partition (type, batch, ISO
 * week), its write-ahead, the signed manifest that lists its file, and in {@code archival_history}
 * the archives a forced re-archive replaced. Every write is an upsert keyed by the partition, so
 * retries and reruns never duplicate a row.
 */
public final class Archives {
  /** Most values a query names in SQL; longer lists are filtered after the rows are read, or chunked. */
  static final int MAX_VALUES_IN_SQL = 500;

  /**
   * The run recording archives.
   *
   * @param requestData the run's request, kept with each row
   * @param force a forced re-archive: replaces SUCCESS rows of other runs
   */
  public record Run(String runId, Instant archivalDate, String requestData, boolean force) {}

  /** What {@link #upsert} did; {@code supersededBlob} is an object now to be removed. */
  public record Upsert(boolean written, String supersededBlob, String supersededRun) {}

  /** A superseded archive whose object has not been removed yet. */
  public record Superseded(String uuid, String runId, String batchId, String period, String blobUrl) {}

  private final Database db;

  public Archives(Database db) {
    this.db = db;
  }

  /** The stable id of a partition's ledger row. */
  public static String uuidOf(String type, PartitionKey key) {
    return UUID.nameUUIDFromBytes(
            (type + "\u0000" + key.batchId() + "\u0000" + key.period()).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** The ledger rows of the request's partitions (any status), by partition. */
  public Map<PartitionKey, LedgerRow> partitionRows(String type, ArchiveRequest request) throws SQLException {
    Map<PartitionKey, LedgerRow> out = new HashMap<>();
    for (LedgerRow r : rowsOfRequest(type, request)) {
      out.put(PartitionKey.of(r.batchId(), IsoWeek.parse(r.period())), r);
    }
    return out;
  }

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
    List<Object> args = new ArrayList<>();
    args.add(type);
    if (request.fromInclusive().isPresent()) {
      where.append(" AND period >= ?");
      args.add(IsoWeek.of(request.fromInclusive().get()).toString());
    }
    where.append(" AND period <= ?");
    args.add(IsoWeek.of(request.toExclusive().get().minusMillis(1)).toString());
    SortedSet<String> batches = request.batchIds();
    if (!batches.isEmpty() && batches.size() <= MAX_VALUES_IN_SQL) {
      where.append(" AND batchid IN (").append(Sql.placeholders(batches.size())).append(")");
      args.addAll(batches);
    }
    where.append(" ORDER BY batchid, period");
    List<LedgerRow> out = new ArrayList<>();
    for (LedgerRow r : rows(where.toString(), args.toArray())) {
      if (request.coversWeek(IsoWeek.parse(r.period())) && request.coversBatch(r.batchId())) {
        out.add(r);
      }
    }
    return out;
  }

  /** The ledger rows of one batch, ordered by period. */
  public List<LedgerRow> rowsOfBatch(String type, String batchId) throws SQLException {
    return rows("WHERE type = ? AND batchid = ? ORDER BY batchid, period", type, batchId);
  }

  /** Rows of one run, ordered by batch and period. */
  public List<LedgerRow> rowsOfRun(String runId) throws SQLException {
    return rows("WHERE run_id = ? ORDER BY batchid, period", runId);
  }

  /** Every row of a type, ordered by batch and period. */
  public List<LedgerRow> rowsOfType(String type) throws SQLException {
    return rows("WHERE type = ? ORDER BY batchid, period", type);
  }

  /** Archived (SUCCESS) rows of a type that no manifest lists yet, ordered by batch and period. */
  public List<LedgerRow> unsignedRows(String type) throws SQLException {
    return rows(
        "WHERE type = ? AND archival_status = ? AND manifest_url IS NULL AND blob_url IS NOT NULL"
            + " ORDER BY batchid, period",
        type, ArchiveStatus.SUCCESS);
  }

  /** Rows of a type with a write-ahead left by a run other than {@code exceptRun} (may be null). */
  public List<LedgerRow> pendingRows(String type, String exceptRun) throws SQLException {
    List<LedgerRow> out = new ArrayList<>();
    for (LedgerRow r : rows("WHERE type = ? AND pending_run_id IS NOT NULL ORDER BY batchid, period", type)) {
      if (!r.pendingRunId().equals(exceptRun)) {
        out.add(r);
      }
    }
    return out;
  }

  private List<LedgerRow> rows(String where, Object... args) throws SQLException {
    Sql query = Sql.of("SELECT " + LedgerRow.COLUMNS + " FROM archival_metadata " + where, args);
    return db.call("read the ledger", c -> query.list(c, LedgerRow::read));
  }

  /** Whether any of these object URLs is the current archive ({@code blob_url}) of a row of the type. */
  public boolean anyCurrentObject(String type, Collection<String> urls) throws SQLException {
    return db.call(
        "look up archive objects",
        c -> {
          List<String> all = new ArrayList<>(urls);
          for (int from = 0; from < all.size(); from += MAX_VALUES_IN_SQL) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + MAX_VALUES_IN_SQL));
            List<Object> args = new ArrayList<>();
            args.add(type);
            args.addAll(chunk);
            Sql query =
                Sql.of(
                    "SELECT 1 FROM archival_metadata WHERE type = ? AND blob_url IN ("
                        + Sql.placeholders(chunk.size()) + ")",
                    args.toArray());
            if (query.exists(c)) {
              return true;
            }
          }
          return false;
        });
  }

  /** Every object URL the ledger knows for a type: current, pending and superseded not yet removed. */
  public Set<String> knownObjects(String type) throws SQLException {
    return db.call(
        "read known objects",
        c -> {
          Set<String> out = new HashSet<>();
          // Only the two URL columns: a ledger row read whole is ~1.5 KB on the heap.
          Sql.of("SELECT blob_url, pending_blob_url FROM archival_metadata WHERE type = ?", type)
              .list(
                  c,
                  rs -> {
                    for (String column : List.of("blob_url", "pending_blob_url")) {
                      if (rs.getString(column) != null) {
                        out.add(rs.getString(column));
                      }
                    }
                    return null;
                  });
          for (Superseded s : supersededNotRemoved(type)) {
            out.add(s.blobUrl());
          }
          return out;
        });
  }

  /**
   * Write-ahead, before a partition's object is written: records which object this run is about
   * to create, so that a run that dies before recording the outcome leaves no orphan (the next run
   * removes it). Creates the partition's row as PENDING when it has none.
   */
  public void markPending(String type, PartitionKey key, String blobUrl, Run run) throws SQLException {
    markPending(type, Map.of(key, blobUrl), run);
  }

  /** {@link #markPending} of several partitions (partition → object), in one transaction. */
  public void markPending(String type, Map<PartitionKey, String> names, Run run) throws SQLException {
    if (names.isEmpty()) {
      return;
    }
    db.transaction(
        names.size() == 1 ? "record the write-ahead of " + names.keySet().iterator().next()
            : "record the write-ahead of " + names.size() + " partitions",
        c -> {
          for (Map.Entry<PartitionKey, String> n : names.entrySet()) {
            PartitionKey key = n.getKey();
            String blobUrl = n.getValue();
            String uuid = uuidOf(type, key);
            int updated =
                Sql.of(
                        "UPDATE archival_metadata SET pending_blob_url = ?, pending_run_id = ? WHERE uuid = ?",
                        blobUrl, run.runId(), uuid)
                    .update(c);
            if (updated == 0) {
              Sql.insert(
                      "archival_metadata",
                      new Columns()
                          .set("uuid", uuid)
                          .set("type", type)
                          .set("batchid", key.batchId())
                          .set("period", key.period())
                          .set("archival_date", run.archivalDate())
                          .set("archival_status", ArchiveStatus.PENDING)
                          .set("iteration", 1)
                          .set("request_data", run.requestData())
                          .set("run_id", run.runId())
                          .set("pending_blob_url", blobUrl)
                          .set("pending_run_id", run.runId()))
                  .update(c);
            }
          }
          return null;
        });
  }

  /**
   * Records an archived (or failed) partition and clears its write-ahead. A SUCCESS row of another
   * run is never overwritten, except by a forced re-archive that succeeded: then the old archive is
   * copied to {@code archival_history} as SUPERSEDED, in the same transaction, and its object is
   * returned for removal. A retry of the same run rewrites its own row; a new run over a FAILED row
   * increments {@code iteration}.
   */
  public Upsert upsert(String type, ArchivedFile file, Run run) throws SQLException {
    String uuid = uuidOf(type, file.partition());
    String runId = run.runId();
    return db.transaction(
        "record partition " + file.partition(),
        c -> {
          Current old =
              Sql.of(
                      "SELECT iteration, archival_status, run_id, blob_url FROM archival_metadata"
                          + " WHERE uuid = ? FOR UPDATE",
                      uuid)
                  .first(
                      c,
                      rs -> new Current(
                          rs.getInt("iteration"), rs.getString("archival_status"), rs.getString("run_id"),
                          rs.getString("blob_url")));
          if (old == null) {
            Sql.insert(
                    "archival_metadata",
                    fileColumns(
                            new Columns()
                                .set("uuid", uuid)
                                .set("type", type)
                                .set("batchid", file.partition().batchId())
                                .set("collectionid", file.collectionIds())
                                .set("period", file.partition().period())
                                .set("archival_date", run.archivalDate())
                                .set("completion_date", Instant.now())
                                .set("archival_status", status(file))
                                .set("deletion_status", null)
                                .set("iteration", 1),
                            file,
                            run))
                .update(c);
            return new Upsert(true, null, null);
          }
          boolean otherRunsArchive = ArchiveStatus.SUCCESS.name().equals(old.status()) && !runId.equals(old.runId());
          if (otherRunsArchive && !(run.force() && file.succeeded())) {
            // The archive of another run stands. A failed forced attempt keeps its write-ahead: the
            // run's reconciliation removes what the attempt may have left, then closes it.
            if (file.succeeded()) {
              Sql.of(
                      "UPDATE archival_metadata SET pending_blob_url = NULL, pending_run_id = NULL"
                          + " WHERE uuid = ? AND pending_run_id = ?",
                      uuid, runId)
                  .update(c);
            }
            return new Upsert(false, null, null);
          }
          String superseded = null;
          if (otherRunsArchive && !file.blobUrl().equals(old.blobUrl())) {
            supersede(c, uuid, runId);
            superseded = old.blobUrl();
          }
          Columns set =
              fileColumns(
                  new Columns()
                      .set("collectionid", file.collectionIds())
                      .set("archival_date", run.archivalDate())
                      .set("completion_date", Instant.now())
                      .set("archival_status", status(file))
                      .set("iteration", runId.equals(old.runId()) ? old.iteration() : old.iteration() + 1),
                  file,
                  run);
          for (String column : List.of("manifest_url", "verified_at", "verify_result")) {
            set.setSql(column, "NULL");
          }
          if (file.succeeded()) {
            set.setSql("pending_blob_url", "NULL").setSql("pending_run_id", "NULL");
          }
          for (String column :
              List.of("deletion_status", "deletion_date", "deleted_rows", "skipped_changed_rows", "absent_rows",
                  "deletion_run_id")) {
            set.setSql(column, "NULL");
          }
          Sql.update("archival_metadata", set, "uuid = ?", uuid).update(c);
          return new Upsert(true, superseded, superseded == null ? null : old.runId());
        });
  }

  /** The columns of a row that {@link #upsert} reads before it writes. */
  private record Current(int iteration, String status, String runId, String blobUrl) {}

  private static ArchiveStatus status(ArchivedFile file) {
    return file.succeeded() ? ArchiveStatus.SUCCESS : ArchiveStatus.FAILED;
  }

  /** What the file says about the partition: its object, its counts and checksum (nulls if failed). */
  private static Columns fileColumns(Columns columns, ArchivedFile file, Run run) {
    boolean ok = file.succeeded();
    return columns
        .set("request_data", run.requestData())
        .set("blob_url", file.blobUrl())
        .set("err_message", file.error())
        .set("row_count", ok ? (Object) file.rowCount() : Sql.NULL_BIGINT)
        .set("byte_size", ok ? (Object) file.byteSize() : Sql.NULL_BIGINT)
        .set("checksum_sha256", ok ? file.sha256() : null)
        .set("min_time", ok ? (Object) Instant.ofEpochMilli(file.minTimeMillis()) : Sql.NULL_TIMESTAMP)
        .set("max_time", ok ? (Object) Instant.ofEpochMilli(file.maxTimeMillis()) : Sql.NULL_TIMESTAMP)
        .set("run_id", run.runId())
        .set("rollup_stats", ok ? file.rollupJson() : null)
        .set("family_files", ok ? file.familyFiles() : null);
  }

  /** Copies the row's current archive to {@code archival_history} as SUPERSEDED by {@code byRun}. */
  private static void supersede(Connection c, String uuid, String byRun) throws SQLException {
    Sql.of(
            "INSERT INTO archival_history (uuid, run_id, type, batchid, period, iteration,"
                + " archival_status, archival_date, blob_url, row_count, byte_size, checksum_sha256,"
                + " superseded_date, superseded_by_run, object_removed, rollup_stats, manifest_url, family_files)"
                + " SELECT uuid, run_id, type, batchid, period, iteration, ?, archival_date, blob_url,"
                + " row_count, byte_size, checksum_sha256, ?, ?, ?, rollup_stats, manifest_url, family_files"
                + " FROM archival_metadata WHERE uuid = ?",
            ArchiveStatus.SUPERSEDED, Instant.now(), byRun, false, uuid)
        .update(c);
  }

  /**
   * Closes a write-ahead whose run never recorded the outcome, after its object was removed: the
   * pending columns are cleared and a PENDING row becomes FAILED with the reason.
   */
  public void closePending(String uuid, String pendingRun, String reason) throws SQLException {
    Sql update =
        Sql.of(
            "UPDATE archival_metadata SET pending_blob_url = NULL, pending_run_id = NULL,"
                + " archival_status = CASE WHEN archival_status = ? THEN ? ELSE archival_status END,"
                + " err_message = CASE WHEN archival_status = ? THEN ? ELSE err_message END"
                + " WHERE uuid = ? AND pending_run_id = ?",
            ArchiveStatus.PENDING, ArchiveStatus.FAILED, ArchiveStatus.PENDING, reason, uuid, pendingRun);
    db.call("close the write-ahead of " + uuid, update::update);
  }

  /** Marks a SUCCESS row FAILED because its object is not what the row says (post-run check). */
  public void markObjectBad(String uuid, String runId, String reason) throws SQLException {
    Sql update =
        Sql.of(
            "UPDATE archival_metadata SET archival_status = ?, err_message = ?"
                + " WHERE uuid = ? AND run_id = ? AND archival_status = ?",
            ArchiveStatus.FAILED, reason, uuid, runId, ArchiveStatus.SUCCESS);
    db.call("mark partition " + uuid + " FAILED", update::update);
  }

  /**
   * Points archived rows at the signed manifest that lists their files; only rows still holding
   * the object the manifest lists (a row re-archived meanwhile keeps its own).
   */
  public void setManifest(Map<String, String> blobByUuid, String manifestUrl) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    blobByUuid.forEach((uuid, blob) -> rows.add(List.of(manifestUrl, uuid, blob, ArchiveStatus.SUCCESS)));
    db.transaction(
        "record manifest " + manifestUrl,
        c -> {
          Sql.batch(
              c,
              "UPDATE archival_metadata SET manifest_url = ? WHERE uuid = ? AND blob_url = ? AND archival_status = ?",
              rows);
          return null;
        });
  }

  public List<Superseded> supersededNotRemoved(String type) throws SQLException {
    Sql query =
        Sql.of(
            "SELECT uuid, run_id, batchid, period, blob_url FROM archival_history"
                + " WHERE type = ? AND object_removed = ? ORDER BY batchid, period",
            type, false);
    return db.call(
        "read superseded archives",
        c -> query.list(
            c,
            rs -> new Superseded(
                rs.getString("uuid"), rs.getString("run_id"), rs.getString("batchid"), rs.getString("period"),
                rs.getString("blob_url"))));
  }

  public void markSupersededRemoved(String uuid, String runId) throws SQLException {
    Sql update = Sql.of("UPDATE archival_history SET object_removed = ? WHERE uuid = ? AND run_id = ?", true, uuid, runId);
    db.call("record a superseded object removed", update::update);
  }

  /** Every superseded archive of a type (for status and tests), column by lower-case name. */
  public List<Map<String, Object>> history(String type) throws SQLException {
    Sql query =
        Sql.of(
            "SELECT uuid, run_id, batchid, period, iteration, archival_status, blob_url,"
                + " checksum_sha256, superseded_by_run, object_removed FROM archival_history"
                + " WHERE type = ? ORDER BY batchid, period, iteration",
            type);
    return db.call("read archive history", c -> query.list(c, Archives::columnsByName));
  }

  private static Map<String, Object> columnsByName(ResultSet rs) throws SQLException {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
      m.put(rs.getMetaData().getColumnLabel(i).toLowerCase(Locale.ROOT), rs.getObject(i));
    }
    return m;
  }
}
