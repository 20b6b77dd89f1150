package org.beamarchiver.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.beamarchiver.status.StatusPage;
import org.beamarchiver.status.StatusSnapshot;

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
    new Ledger(connection).migrate();
    StatusSnapshot status = StatusSnapshot.read(connection, spec, request, options.getJobs(), Instant.now());
    if (options.getHtml() != null && !options.getHtml().isBlank()) {
      Path page = writePage(status, Paths.get(options.getHtml()));
      if (!Boolean.TRUE.equals(options.getJson())) {
        out.println("Status page of " + status.table() + " (" + status.request() + "): " + page);
        out.println("  " + StatusPage.legendLine(status));
        return ExitCode.OK;
      }
    }
    if (Boolean.TRUE.equals(options.getJson())) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("table", status.table());
      doc.put("archiveType", status.archiveType());
      doc.put("request", status.request());
      doc.put("lease", status.lease());
      doc.put("jobs", status.jobs());
      doc.put("partitions", status.partitions());
      doc.put("superseded", status.superseded());
      out.println(
          new ObjectMapper()
              .registerModule(new JavaTimeModule())
              .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(doc));
      return ExitCode.OK;
    }
    Leases.Holder lease = status.lease();
    List<LedgerRow> partitions = status.partitions();
    out.println("Status  table=" + status.table() + "  type=" + status.archiveType() + "  " + status.request());
    out.println(
        "  lease: "
            + (lease == null
                ? "free"
                : (lease.expired(Instant.now()) ? "EXPIRED (free to take): " : "held by ") + lease.describe()));
    out.println();
    out.println("Jobs (newest first)");
    Table jt = new Table("job", "kind", "state", "attempts", "created", "ended", "ok", "failed", "skipped", "exit", "error")
        .longOnOwnLine("error");
    for (StatusSnapshot.JobHistory h : status.jobs()) {
      Jobs.JobRow j = h.job();
      jt.add(
          j.jobId(), j.kind(), j.state().name(), String.valueOf(j.attempts()), String.valueOf(j.createdAt()),
          j.endedAt() == null ? "-" : j.endedAt().toString(), str(j.partitionsSucceeded()),
          str(j.partitionsFailed()), str(j.partitionsSkipped()), str(j.exitCode()),
          j.error() == null ? "" : firstLine(j.error()));
    }
    jt.print(out);
    if (!status.jobs().isEmpty()) {
      StatusSnapshot.JobHistory latest = status.jobs().get(0);
      out.println("  transitions of " + latest.job().jobId() + ":");
      for (Jobs.Transition t : latest.transitions()) {
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
    if (!status.superseded().isEmpty()) {
      out.println("  superseded archives: " + status.superseded().size());
    }
    return ExitCode.OK;
  }

  /**
   * Writes the page beside its place and renames it there, so a web server publishing the file
   * never serves half a page.
   */
  private static Path writePage(StatusSnapshot status, Path file) throws IOException {
    Path target = file.toAbsolutePath().normalize();
    Path dir = target.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--html=" + file + ": the folder " + dir + " does not exist");
    }
    if (Files.isDirectory(target)) {
      throw new IllegalArgumentException("--html=" + file + " is a folder; give the page's file name");
    }
    // A fresh name of its own (never an existing file or link), readable as the page it replaces
    // was, or by everyone when new (rw-r--r--): a web server publishing it must be able to read it.
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    boolean moved = false;
    try {
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        StatusPage.write(status, 0, w);
      }
      try {
        Files.setPosixFilePermissions(tmp, Files.exists(target)
            ? Files.getPosixFilePermissions(target)
            : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException notPosix) {
        // another file system: its defaults
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      moved = true;
    } finally {
      if (!moved) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the write's own error is the one to report
        }
      }
    }
    return target;
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
