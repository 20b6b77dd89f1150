package org.beamarchiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.beamarchiver.model.ArchivedFile;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.sql.JdbcEndpoint;
import org.junit.jupiter.api.Test;

/**
 * A ledger written before the ledger was split by concern (the same migrations, rows inserted with
 * the statements the old {@code Ledger}, {@code Jobs} and {@code Leases} ran) opens with the new
 * classes, which read it and write it.
 */
class ExistingLedgerTest {
  static final String TYPE = "assessment";
  static final PartitionKey ARCHIVED = PartitionKey.of("b1", IsoWeek.parse("2024-W10"));
  static final PartitionKey FAILED = PartitionKey.of("b1", IsoWeek.parse("2024-W11"));
  static final PartitionKey PENDING = PartitionKey.of("b2", IsoWeek.parse("2024-W10"));
  static final Instant T = Instant.parse("2024-03-20T10:00:00Z");

  @Test
  void anExistingLedgerIsReadAndWritten() throws Exception {
    readAndWrite(new JdbcEndpoint("jdbc:h2:mem:existing-ledger-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", null, null));
  }

  /** The check, on an empty database {@code db} (H2 here, PostgreSQL in {@code ExistingLedgerIT}). */
  static void readAndWrite(JdbcEndpoint db) throws Exception {
    Ledger ledger = new Ledger(db);
    ledger.migrate();
    try (Connection c = db.open()) {
      writeAsBefore(c);
    }
    ledger.migrate(); // a relaunch: nothing to do

    Archives archives = ledger.archives();
    Map<String, LedgerRow> rows = new java.util.HashMap<>();
    archives.rowsOfType(TYPE).forEach(r -> rows.put(r.batchId() + " " + r.period(), r));
    assertEquals(3, rows.size());
    LedgerRow archived = rows.get("b1 2024-W10");
    assertEquals(Archives.uuidOf(TYPE, ARCHIVED), archived.uuid());
    assertEquals(ArchiveStatus.SUCCESS, archived.archivalStatus());
    assertEquals(DeletionStatus.PENDING, archived.deletionStatus());
    assertEquals(10L, archived.rowCount());
    assertEquals(T, archived.minTime());
    assertEquals("OK", archived.verifyResult());
    assertEquals(ArchiveStatus.FAILED, rows.get("b1 2024-W11").archivalStatus());
    assertNull(rows.get("b1 2024-W11").rowCount());
    assertEquals(ArchiveStatus.PENDING, rows.get("b2 2024-W10").archivalStatus());
    assertEquals(1, archives.pendingRows(TYPE, null).size());
    assertEquals(List.of("old-run"), archives.supersededNotRemoved(TYPE).stream().map(Archives.Superseded::runId).toList());
    assertEquals("SUPERSEDED", archives.history(TYPE).get(0).get("archival_status"));
    assertTrue(archives.knownObjects(TYPE).containsAll(List.of("file:///a/b1-10", "file:///a/b2-10.pending", "file:///a/old")));
    assertEquals(1, archives.unsignedRows(TYPE).size());

    // The interrupted delete is found as such, then recorded.
    Deletions deletions = ledger.deletions();
    ArchivedPartition p = deletions.partitionsToDelete(TYPE, request()).get(0);
    assertEquals(DeletionStatus.PENDING, deletions.markPending(p, "delete-2"));
    deletions.record("record the deletion of " + p.partition(), new Deletion(p.uuid(), DeletionStatus.SUCCESS, 10, 0, 0, null, "delete-2"));
    assertTrue(deletions.partitionsToDelete(TYPE, request()).isEmpty());
    assertTrue(archives.partitionRows(TYPE, request()).get(ARCHIVED).deleted());

    // A new run archives the failed partition over its old row: the next iteration.
    ArchivedFile file = new ArchivedFile(FAILED, "c", "file:///a/b1-11", 5, 50, "ab", 0, 1000, null, "{}");
    assertTrue(archives.upsert(TYPE, file, new Archives.Run("archive-2", T, "{}", false)).written());
    LedgerRow redone = archives.rowsOfRun("archive-2").get(0);
    assertEquals(ArchiveStatus.SUCCESS, redone.archivalStatus());
    assertEquals(2, redone.iteration());
    archives.closePending(Archives.uuidOf(TYPE, PENDING), "dead-run", "gone");
    assertEquals(ArchiveStatus.FAILED, archives.partitionRows(TYPE, request()).get(PENDING).archivalStatus());

    // Restores, jobs and leases of the old code read back; new ones are added beside them.
    Restores restores = ledger.restores();
    assertEquals(RestoreStatus.SUCCESS, restores.ofType(TYPE).get(0).status());
    restores.record("record the restore of x", TYPE,
        new Restore("restore-2", archived.uuid(), "b1", "2024-W10", "file:///a/b1-10", "t", T.plusSeconds(60), 10, RestoreStatus.FAILED, "no"));
    assertEquals(RestoreStatus.FAILED, restores.ofType(TYPE).get(0).status());

    Jobs jobs = ledger.jobs();
    Jobs.JobRow job = jobs.get("job-1");
    assertEquals(JobState.ARCHIVING, job.state());
    assertEquals(1, job.attempts());
    assertEquals(List.of(JobState.UNINITIALIZED, JobState.PROCESSING, JobState.ARCHIVING),
        jobs.transitions("job-1").stream().map(Jobs.Transition::state).toList());
    assertEquals(List.of("job-1"), jobs.unfinished(TYPE).stream().map(Jobs.JobRow::jobId).toList());
    jobs.end("job-1", new Jobs.Outcome(JobState.ABANDONED, 0, 0, 0, 1, "gone"));
    assertEquals(3, jobs.transitions("job-1").get(3).seq());
    assertTrue(jobs.unfinished(TYPE).isEmpty());

    Leases leases = ledger.leases();
    assertEquals("job-1", leases.holder("table:" + TYPE).holder());
    Leases.Acquisition a = leases.tryAcquire("table:" + TYPE, "job-2", "host", Duration.ofMinutes(1));
    assertTrue(a.acquired(), "the old lease had expired");
    assertEquals("job-1", a.previous().holder());
    assertFalse(leases.tryAcquire("table:" + TYPE, "job-3", "host", Duration.ofMinutes(1)).acquired());
  }

  static org.beamarchiver.model.ArchiveRequest request() {
    return org.beamarchiver.model.ArchiveRequest.resolve(
        org.beamarchiver.model.WeekSelection.LAST_N_WEEKS, 10, null, T, List.of());
  }

  /** Rows as the code before the split wrote them: its statements, verbatim where they matter. */
  static void writeAsBefore(Connection c) throws SQLException {
    String columns =
        "uuid, type, batchid, collectionid, period, archival_date, completion_date, archival_status,"
            + " deletion_status, iteration, request_data, blob_url, err_message, row_count, byte_size,"
            + " checksum_sha256, min_time, max_time, run_id, rollup_stats";
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO archival_metadata (" + columns + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      for (PartitionKey k : List.of(ARCHIVED, FAILED)) {
        boolean ok = k == ARCHIVED;
        int i = 1;
        s.setString(i++, Archives.uuidOf(TYPE, k));
        s.setString(i++, TYPE);
        s.setString(i++, k.batchId());
        s.setString(i++, "c");
        s.setString(i++, k.period());
        s.setObject(i++, odt(T));
        s.setObject(i++, odt(T));
        s.setString(i++, ok ? "SUCCESS" : "FAILED");
        s.setNull(i++, java.sql.Types.VARCHAR);
        s.setInt(i++, 1);
        s.setString(i++, "{}");
        s.setString(i++, ok ? "file:///a/b1-10" : null);
        s.setString(i++, ok ? null : "boom");
        if (ok) {
          s.setLong(i++, 10);
          s.setLong(i++, 100);
          s.setString(i++, "ff");
          s.setObject(i++, odt(T));
          s.setObject(i++, odt(T));
        } else {
          s.setNull(i++, java.sql.Types.BIGINT);
          s.setNull(i++, java.sql.Types.BIGINT);
          s.setNull(i++, java.sql.Types.VARCHAR);
          s.setNull(i++, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
          s.setNull(i++, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        }
        s.setString(i++, "archive-1");
        s.setString(i, ok ? "{}" : null);
        s.executeUpdate();
      }
    }
    run(c, "INSERT INTO archival_metadata (uuid, type, batchid, period, archival_date, archival_status, iteration,"
        + " request_data, run_id, pending_blob_url, pending_run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        Archives.uuidOf(TYPE, PENDING), TYPE, PENDING.batchId(), PENDING.period(), odt(T), "PENDING", 1, "{}", "dead-run",
        "file:///a/b2-10.pending", "dead-run");
    run(c, "UPDATE archival_metadata SET verified_at = ?, verify_result = ? WHERE uuid = ?", odt(T), "OK", Archives.uuidOf(TYPE, ARCHIVED));
    run(c, "UPDATE archival_metadata SET deletion_status = ?, deletion_run_id = ? WHERE uuid = ?", "PENDING", "delete-1",
        Archives.uuidOf(TYPE, ARCHIVED));
    run(c, "INSERT INTO archival_history (uuid, run_id, type, batchid, period, iteration, archival_status, archival_date,"
        + " blob_url, row_count, byte_size, checksum_sha256, superseded_date, superseded_by_run, object_removed)"
        + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        Archives.uuidOf(TYPE, ARCHIVED), "old-run", TYPE, "b1", "2024-W10", 1, "SUPERSEDED", odt(T), "file:///a/old", 10L, 100L,
        "ee", odt(T), "archive-1", false);
    run(c, "INSERT INTO archival_restore (restore_run_id, uuid, type, batchid, period, blob_url, target_table,"
        + " restored_at, rows_written, status, err_message) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        "restore-1", Archives.uuidOf(TYPE, ARCHIVED), TYPE, "b1", "2024-W10", "file:///a/b1-10", "ks.t", odt(T), 10L, "SUCCESS", null);
    run(c, "INSERT INTO archiver_job (job_id, kind, type, table_name, request_data, state, attempts,"
        + " created_at, updated_at, holder_info) VALUES (?,?,?,?,?,?,?,?,?,?)",
        "job-1", "archive", TYPE, "ks.t", "{}", "ARCHIVING", 1, odt(T), odt(T), "host");
    int seq = 0;
    for (String state : List.of("UNINITIALIZED", "PROCESSING", "ARCHIVING")) {
      run(c, "INSERT INTO archiver_job_transition (job_id, seq, state, at, detail) VALUES (?,?,?,?,?)",
          "job-1", seq++, state, odt(T), null);
    }
    run(c, "INSERT INTO archiver_lease (resource, holder, holder_info, acquired_at, expires_at) VALUES (?,?,?,?,?)",
        "table:" + TYPE, "job-1", "host", odt(T), odt(T.plusSeconds(60)));
  }

  static void run(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      s.executeUpdate();
    }
  }

  static OffsetDateTime odt(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
