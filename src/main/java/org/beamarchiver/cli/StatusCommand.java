package org.beamarchiver.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.ledger.Jobs;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.ledger.Leases;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.RollupStats;
import org.beamarchiver.options.Requests;
import org.beamarchiver.options.StatusOptions;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;

/** {@code status}: a table's jobs, lease and partitions, from the ledger alone. */
final class StatusCommand extends Command<StatusOptions> {
  StatusCommand() {
    super(
        "status",
        "jobs (with their state transitions), the lease, and partitions of a table/period/batch",
        StatusOptions.class);
  }

  @Override
  ExitCode execute(StatusOptions options, PrintStream out) throws Exception {
    TableSpec spec = TableSpecLoader.load(Paths.get(options.getTableSpec()));
    ArchiveRequest request = Requests.from(options, Instant.now());
    if (options.getJobs() == null || options.getJobs() < 0) {
      throw new IllegalArgumentException("--jobs=" + options.getJobs() + " must be 0 or more");
    }
    JdbcEndpoint connection = Ledger.endpoint(options);
    Ledger ledger = new Ledger(connection);
    ledger.migrate();
    String type = spec.archiveType();
    Jobs jobs = new Jobs(connection);
    List<Jobs.JobRow> recent = jobs.recent(type, options.getJobs());
    Leases.Holder lease = new Leases(connection).holder(JobControl.leaseResource(type));
    List<LedgerRow> partitions = ledger.archives().rowsOfRequest(type, request);
    if (Boolean.TRUE.equals(options.getJson())) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("table", spec.qualifiedTable());
      doc.put("archiveType", type);
      doc.put("request", request.describe());
      doc.put("lease", lease);
      List<Map<String, Object>> js = new ArrayList<>();
      for (Jobs.JobRow j : recent) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", j);
        m.put("transitions", jobs.transitions(j.jobId()));
        js.add(m);
      }
      doc.put("jobs", js);
      doc.put("partitions", partitions);
      doc.put("superseded", ledger.archives().history(type));
      out.println(
          new ObjectMapper()
              .registerModule(new JavaTimeModule())
              .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(doc));
      return ExitCode.OK;
    }
    out.println("Status  table=" + spec.qualifiedTable() + "  type=" + type + "  " + request.describe());
    out.println(
        "  lease: "
            + (lease == null
                ? "free"
                : (lease.expired(Instant.now()) ? "EXPIRED (free to take): " : "held by ") + lease.describe()));
    out.println();
    out.println("Jobs (newest first)");
    Table jt = new Table("job", "kind", "state", "attempts", "created", "ended", "ok", "failed", "skipped", "exit", "error")
        .longOnOwnLine("error");
    for (Jobs.JobRow j : recent) {
      jt.add(
          j.jobId(), j.kind(), j.state().name(), String.valueOf(j.attempts()), String.valueOf(j.createdAt()),
          j.endedAt() == null ? "-" : j.endedAt().toString(), str(j.partitionsSucceeded()),
          str(j.partitionsFailed()), str(j.partitionsSkipped()), str(j.exitCode()),
          j.error() == null ? "" : firstLine(j.error()));
    }
    jt.print(out);
    if (!recent.isEmpty()) {
      Jobs.JobRow latest = recent.get(0);
      out.println("  transitions of " + latest.jobId() + ":");
      for (Jobs.Transition t : jobs.transitions(latest.jobId())) {
        out.println("    " + t.at() + "  " + t.state() + (t.detail() == null ? "" : "  " + firstLine(t.detail())));
      }
    }
    out.println();
    out.println("Partitions");
    Table pt =
        new Table("batch", "week", "archive", "iter", "rows", "deletion", "deleted", "verified", "rollup", "run", "note")
            .longOnOwnLine("verified", "note");
    for (LedgerRow r : partitions) {
      pt.add(
          r.batchId(), r.period(), r.archivalStatus().name(), String.valueOf(r.iteration()), str(r.rowCount()),
          r.deletionStatus() == null ? "-" : r.deletionStatus().name(), str(r.deletedRows()), verified(r), rollup(r), r.runId(),
          r.pendingRunId() != null ? "being written by " + r.pendingRunId()
              : r.errMessage() == null ? "" : firstLine(r.errMessage()));
    }
    pt.print(out);
    long ok = partitions.stream().filter(r -> r.archived()).count();
    out.printf(
        "  partitions: %d, %d archived, %d failed or pending, %d deleted; verified OK %d, verified with problems %d,"
            + " never verified %d%n",
        partitions.size(), ok, partitions.size() - ok,
        partitions.stream().filter(r -> r.deleted()).count(),
        partitions.stream().filter(r -> "OK".equals(r.verifyResult())).count(),
        partitions.stream().filter(r -> r.verifyResult() != null && !"OK".equals(r.verifyResult())).count(),
        partitions.stream().filter(r -> r.verifyResult() == null && r.archived()).count());
    List<Map<String, Object>> history = ledger.archives().history(type);
    if (!history.isEmpty()) {
      out.println("  superseded archives: " + history.size());
    }
    return ExitCode.OK;
  }

  /** The latest verification's verdict (details in --json), or "-" when never verified. */
  private static String verified(LedgerRow r) {
    if (r.verifyResult() == null) {
      return r.manifestUrl() == null ? "unsigned" : "signed";
    }
    int colon = r.verifyResult().indexOf(':');
    return colon < 0 ? r.verifyResult() : r.verifyResult().substring(0, colon);
  }

  /** The roll-up statistics in one cell: distinct counts, then mean [min, max] of each numeric column. */
  @SuppressWarnings("unchecked")
  static String rollup(LedgerRow r) {
    if (r.rollupStats() == null) {
      return "-";
    }
    Map<String, Object> stats = RollupStats.parse(r.rollupStats());
    StringBuilder sb = new StringBuilder();
    if (stats.get("distinct") instanceof Map<?, ?> d) {
      d.forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
    }
    if (stats.get("numeric") instanceof Map<?, ?> n) {
      n.forEach(
          (k, v) -> {
            Map<String, Object> m = (Map<String, Object>) v;
            if (m.get("mean") != null) {
              sb.append(k).append('=').append(String.format(java.util.Locale.ROOT, "%.2f", ((Number) m.get("mean")).doubleValue()))
                  .append(" [").append(m.get("min")).append(", ").append(m.get("max")).append("] ");
            }
          });
    }
    return sb.toString().strip();
  }

  private static String str(Object o) {
    return o == null ? "-" : o.toString();
  }

  private static String firstLine(String s) {
    int i = s.indexOf('\n');
    String l = i < 0 ? s : s.substring(0, i);
    return l.length() > 120 ? l.substring(0, 117) + "..." : l;
  }
}
