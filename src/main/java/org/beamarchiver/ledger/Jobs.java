package org.beamarchiver.ledger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.beamarchiver.sql.Database;
import org.beamarchiver.sql.Sql;
import org.beamarchiver.sql.Sql.Columns;

/** Job rows ({@code archiver_job}) and their transitions ({@code archiver_job_transition}). */
public final class Jobs {
  /** A job as {@link #create} records it. */
  public record NewJob(String jobId, String kind, String type, String table, String requestData, String holderInfo) {}

  /** How a job ended, as {@link #end} records it; {@code error} may be null. */
  public record Outcome(JobState state, int succeeded, int failed, int skipped, int exitCode, String error) {}

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

  private static final String COLUMNS =
      "job_id, kind, type, table_name, request_data, state, attempts, created_at, updated_at, ended_at,"
          + " partitions_succeeded, partitions_failed, partitions_skipped, exit_code, error, holder_info";

  private final Database db;

  public Jobs(Database db) {
    this.db = db;
  }

  /**
   * Creates the job row in state UNINITIALIZED. Ridden through a ledger outage: an attempt whose
   * commit answer was lost left the row, which the next attempt finds (and keeps).
   */
  public void create(NewJob job) throws SQLException {
    Instant now = Instant.now();
    db.transaction(
        "record job " + job.jobId(),
        0,
        c -> {
          if (Sql.of("SELECT 1 FROM archiver_job WHERE job_id = ?", job.jobId()).exists(c)) {
            return null;
          }
          Sql.insert(
                  "archiver_job",
                  new Columns()
                      .set("job_id", job.jobId())
                      .set("kind", job.kind())
                      .set("type", job.type())
                      .set("table_name", job.table())
                      .set("request_data", job.requestData())
                      .set("state", JobState.UNINITIALIZED)
                      .set("attempts", 0)
                      .set("created_at", now)
                      .set("updated_at", now)
                      .set("holder_info", job.holderInfo()))
              .update(c);
          insertTransition(c, job.jobId(), 0, JobState.UNINITIALIZED, now, null);
          return null;
        });
  }

  /**
   * Moves a job to a state and records the transition with its time. Ridden through a ledger
   * outage (a lost commit answer may record the transition twice: harmless).
   */
  public void transition(String jobId, JobState state, String detail) throws SQLException {
    db.transaction(
        "record job state " + state,
        0,
        c -> {
          Instant now = Instant.now();
          Integer last =
              Sql.of("SELECT MAX(seq) FROM archiver_job_transition WHERE job_id = ?", jobId).first(c, rs -> rs.getInt(1));
          int seq = last == null ? 0 : last + 1;
          Sql.of(
                  "UPDATE archiver_job SET state = ?, updated_at = ?, attempts = attempts + ? WHERE job_id = ?",
                  state, now, state == JobState.PROCESSING ? 1 : 0, jobId)
              .update(c);
          insertTransition(c, jobId, seq, state, now, detail);
          return null;
        });
  }

  /** Shows a waiting job is alive (updated_at), without a transition. */
  public void touch(String jobId) throws SQLException {
    db.call(
        "touch job " + jobId,
        c -> Sql.of("UPDATE archiver_job SET updated_at = ? WHERE job_id = ?", Instant.now(), jobId).update(c));
  }

  /** Records the terminal state and the job's outcome. */
  public void end(String jobId, Outcome o) throws SQLException {
    transition(jobId, o.state(), o.error());
    db.call(
        "record the end of job " + jobId,
        c -> Sql.of(
                "UPDATE archiver_job SET ended_at = ?, partitions_succeeded = ?, partitions_failed = ?,"
                    + " partitions_skipped = ?, exit_code = ?, error = ? WHERE job_id = ?",
                Instant.now(), o.succeeded(), o.failed(), o.skipped(), o.exitCode(), o.error(), jobId)
            .update(c));
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
    Sql query = Sql.of("SELECT seq, state, at, detail FROM archiver_job_transition WHERE job_id = ? ORDER BY seq", jobId);
    return db.call(
        "read the transitions of job " + jobId,
        c -> query.list(
            c,
            rs -> new Transition(
                rs.getInt("seq"), JobState.valueOf(rs.getString("state")), Sql.instant(rs, "at"),
                rs.getString("detail"))));
  }

  private List<JobRow> query(String where, String arg, int limit) throws SQLException {
    Sql query = Sql.of("SELECT " + COLUMNS + " FROM archiver_job " + where, arg);
    return db.call("read jobs", c -> query.list(c, Jobs::jobRow, limit == Integer.MAX_VALUE ? 0 : limit));
  }

  private static JobRow jobRow(ResultSet rs) throws SQLException {
    return new JobRow(
        rs.getString("job_id"),
        rs.getString("kind"),
        rs.getString("type"),
        rs.getString("table_name"),
        rs.getString("request_data"),
        JobState.valueOf(rs.getString("state")),
        rs.getInt("attempts"),
        Sql.instant(rs, "created_at"),
        Sql.instant(rs, "updated_at"),
        Sql.instant(rs, "ended_at"),
        Sql.intOrNull(rs, "partitions_succeeded"),
        Sql.intOrNull(rs, "partitions_failed"),
        Sql.intOrNull(rs, "partitions_skipped"),
        Sql.intOrNull(rs, "exit_code"),
        rs.getString("error"),
        rs.getString("holder_info"));
  }

  private static void insertTransition(
      Connection c, String jobId, int seq, JobState state, Instant at, String detail) throws SQLException {
    Sql.insert(
            "archiver_job_transition",
            new Columns().set("job_id", jobId).set("seq", seq).set("state", state).set("at", at).set("detail", detail))
        .update(c);
  }
}
