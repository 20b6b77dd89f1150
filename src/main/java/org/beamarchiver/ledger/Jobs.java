package org.beamarchiver.ledger;

import org.beamarchiver.sql.JdbcEndpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.beamarchiver.ledger.JobState;

/** Job rows ({@code archiver_job}) and their transitions ({@code archiver_job_transition}). */
public final class Jobs {
  /** One job as read back. */
  public record JobRow(
      String jobId,
      String kind,
      String type,
      String table,
      String requestData,
      JobState state,
      int attempts,
      Instant createdAt,
      Instant updatedAt,
      Instant endedAt,
      Integer partitionsSucceeded,
      Integer partitionsFailed,
      Integer partitionsSkipped,
      Integer exitCode,
      String error,
      String holderInfo) {}

  /** One recorded transition. */
  public record Transition(int seq, JobState state, Instant at, String detail) {}

  private final JdbcEndpoint connection;

  public Jobs(JdbcEndpoint connection) {
    this.connection = connection;
  }

  /**
   * Creates the job row in state UNINITIALIZED. Ridden through a ledger outage: an attempt whose
   * commit answer was lost left the row, which the next attempt finds (and keeps).
   */
  public void create(
      String jobId, String kind, String type, String table, String requestData, String holderInfo)
      throws SQLException {
    Instant now = Instant.now();
    connection.call(
        "record job " + jobId,
        c -> {
          c.setAutoCommit(false);
          try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM archiver_job WHERE job_id = ?")) {
            exists.setString(1, jobId);
            try (ResultSet rs = exists.executeQuery()) {
              if (rs.next()) {
                c.rollback();
                return null;
              }
            }
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO archiver_job (job_id, kind, type, table_name, request_data, state, attempts,"
                      + " created_at, updated_at, holder_info) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
            s.setString(1, jobId);
            s.setString(2, kind);
            s.setString(3, type);
            s.setString(4, table);
            s.setString(5, requestData);
            s.setString(6, JobState.UNINITIALIZED.name());
            s.setInt(7, 0);
            s.setObject(8, odt(now));
            s.setObject(9, odt(now));
            s.setString(10, holderInfo);
            s.executeUpdate();
          }
          insertTransition(c, jobId, 0, JobState.UNINITIALIZED, now, null);
          c.commit();
          return null;
        });
  }

  /**
   * Moves a job to a state and records the transition with its time. Ridden through a ledger
   * outage (a lost commit answer may record the transition twice: harmless).
   */
  public void transition(String jobId, JobState state, String detail) throws SQLException {
    connection.call(
        "record job state " + state,
        c -> {
          Instant now = Instant.now();
          c.setAutoCommit(false);
          int seq;
          try (PreparedStatement s =
              c.prepareStatement("SELECT MAX(seq) FROM archiver_job_transition WHERE job_id = ?")) {
            s.setString(1, jobId);
            try (ResultSet rs = s.executeQuery()) {
              seq = rs.next() ? rs.getInt(1) + 1 : 0;
            }
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE archiver_job SET state = ?, updated_at = ?,"
                      + " attempts = attempts + ? WHERE job_id = ?")) {
            s.setString(1, state.name());
            s.setObject(2, odt(now));
            s.setInt(3, state == JobState.PROCESSING ? 1 : 0);
            s.setString(4, jobId);
            s.executeUpdate();
          }
          insertTransition(c, jobId, seq, state, now, detail);
          c.commit();
          return null;
        });
  }

  /** Shows a waiting job is alive (updated_at), without a transition. */
  public void touch(String jobId) throws SQLException {
    connection.call(
        "touch job " + jobId,
        c -> {
          try (PreparedStatement s = c.prepareStatement("UPDATE archiver_job SET updated_at = ? WHERE job_id = ?")) {
            s.setObject(1, odt(Instant.now()));
            s.setString(2, jobId);
            return s.executeUpdate();
          }
        });
  }

  /** Records the terminal state and the job's outcome. */
  public void end(
      String jobId,
      JobState state,
      int succeeded,
      int failed,
      int skipped,
      int exitCode,
      String error)
      throws SQLException {
    transition(jobId, state, error);
    connection.call(
        "record the end of job " + jobId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE archiver_job SET ended_at = ?, partitions_succeeded = ?, partitions_failed = ?,"
                      + " partitions_skipped = ?, exit_code = ?, error = ? WHERE job_id = ?")) {
            s.setObject(1, odt(Instant.now()));
            s.setInt(2, succeeded);
            s.setInt(3, failed);
            s.setInt(4, skipped);
            s.setInt(5, exitCode);
            if (error == null) {
              s.setNull(6, Types.VARCHAR);
            } else {
              s.setString(6, error);
            }
            s.setString(7, jobId);
            return s.executeUpdate();
          }
        });
  }

  /** Jobs of a type, newest first. */
  public List<JobRow> recent(String type, int limit) throws SQLException {
    return query("WHERE type = ? ORDER BY created_at DESC, job_id DESC", type, limit);
  }

  /** Jobs of a type whose last recorded state is not terminal, oldest first. */
  public List<JobRow> unfinished(String type) throws SQLException {
    List<JobRow> out = new ArrayList<>();
    for (JobRow j : query("WHERE type = ? ORDER BY created_at", type, Integer.MAX_VALUE)) {
      if (!j.state().terminal()) {
        out.add(j);
      }
    }
    return out;
  }

  public JobRow get(String jobId) throws SQLException {
    List<JobRow> rows = query("WHERE job_id = ?", jobId, 1);
    return rows.isEmpty() ? null : rows.get(0);
  }

  public List<Transition> transitions(String jobId) throws SQLException {
    return connection.call(
        "read the transitions of job " + jobId,
        c -> {
          List<Transition> out = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT seq, state, at, detail FROM archiver_job_transition WHERE job_id = ? ORDER BY seq")) {
            s.setString(1, jobId);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new Transition(
                        rs.getInt(1),
                        JobState.valueOf(rs.getString(2)),
                        rs.getObject(3, OffsetDateTime.class).toInstant(),
                        rs.getString(4)));
              }
            }
          }
          return out;
        });
  }

  private List<JobRow> query(String where, String arg, int limit) throws SQLException {
    return connection.call(
        "read jobs",
        c -> {
          List<JobRow> out = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT job_id, kind, type, table_name, request_data, state, attempts, created_at,"
                          + " updated_at, ended_at, partitions_succeeded, partitions_failed,"
                          + " partitions_skipped, exit_code, error, holder_info FROM archiver_job "
                          + where)) {
            s.setString(1, arg);
            s.setMaxRows(limit == Integer.MAX_VALUE ? 0 : limit);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new JobRow(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        JobState.valueOf(rs.getString(6)),
                        rs.getInt(7),
                        instant(rs, 8),
                        instant(rs, 9),
                        instant(rs, 10),
                        (Integer) rs.getObject(11, Integer.class),
                        (Integer) rs.getObject(12, Integer.class),
                        (Integer) rs.getObject(13, Integer.class),
                        (Integer) rs.getObject(14, Integer.class),
                        rs.getString(15),
                        rs.getString(16)));
              }
            }
          }
          return out;
        });
  }

  private static void insertTransition(
      Connection c, String jobId, int seq, JobState state, Instant at, String detail)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO archiver_job_transition (job_id, seq, state, at, detail) VALUES (?,?,?,?,?)")) {
      s.setString(1, jobId);
      s.setInt(2, seq);
      s.setString(3, state.name());
      s.setObject(4, odt(at));
      s.setString(5, detail);
      s.executeUpdate();
    }
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  static OffsetDateTime odt(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
