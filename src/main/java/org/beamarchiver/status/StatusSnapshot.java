package org.beamarchiver.status;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.ledger.Jobs;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.ledger.Leases;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.sql.JdbcEndpoint;

/**
 * What the ledger says of one table at one moment: its lease, its latest jobs with their state
 * transitions, the partitions of a request and the superseded archives. Read once, then shown as
 * text, JSON or a page; nothing here changes the ledger.
 */
public record StatusSnapshot(
    String table,
    String archiveType,
    String request,
    Instant takenAt,
    Leases.Holder lease,
    List<JobHistory> jobs,
    List<LedgerRow> partitions,
    List<Map<String, Object>> superseded) {

  /** One job and its recorded transitions, oldest first. */
  public record JobHistory(Jobs.JobRow job, List<Jobs.Transition> transitions) {}

  /** Reads a table's status: the {@code jobs} latest jobs and the request's partitions. */
  public static StatusSnapshot read(
      JdbcEndpoint connection, TableSpec spec, ArchiveRequest request, int jobs, Instant now)
      throws SQLException {
    String type = spec.archiveType();
    Ledger ledger = new Ledger(connection);
    Jobs jobTable = new Jobs(connection);
    List<JobHistory> histories = new ArrayList<>();
    for (Jobs.JobRow j : jobTable.recent(type, jobs)) {
      histories.add(new JobHistory(j, jobTable.transitions(j.jobId())));
    }
    return new StatusSnapshot(
        spec.qualifiedTable(),
        type,
        request.describe(),
        now,
        new Leases(connection).holder(JobControl.leaseResource(type)),
        List.copyOf(histories),
        ledger.archives().rowsOfRequest(type, request),
        ledger.archives().history(type));
  }
}
