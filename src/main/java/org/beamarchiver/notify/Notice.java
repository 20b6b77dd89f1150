package org.beamarchiver.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What a notification says about a run that ended: the job, its final state and exit code, its
 * counts, and the partitions that failed or were refused, each with its reason.
 *
 * @param request the request as the job recorded it (JSON), or null
 * @param problems the failed or refused partitions; the body carries the first {@link #MAX_PROBLEMS}
 */
public record Notice(
    String jobId,
    String kind,
    String table,
    String request,
    String state,
    int exitCode,
    int succeeded,
    int failed,
    int skipped,
    String error,
    List<Problem> problems) {
  /** Problems listed in a body; the rest are counted. */
  public static final int MAX_PROBLEMS = 50;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A partition that failed or was refused. */
  public record Problem(String batch, String period, String reason) {}

  public Notice {
    problems = List.copyOf(problems);
  }

  /** Whether the run ended other than cleanly (exit code not 0). */
  public boolean failure() {
    return exitCode != 0;
  }

  /** The JSON body: the fields above, and {@code text}, one paragraph for a chat tool. */
  public String body() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode job = root.putObject("job");
    job.put("id", jobId);
    job.put("kind", kind);
    job.put("table", table);
    if (request != null) {
      try {
        job.set("request", JSON.readTree(request));
      } catch (java.io.IOException e) {
        job.put("request", request);
      }
    }
    root.put("state", state);
    root.put("exitCode", exitCode);
    ObjectNode counts = root.putObject("counts");
    counts.put("succeeded", succeeded);
    counts.put("failed", failed);
    counts.put("skipped", skipped);
    if (error != null) {
      root.put("error", error);
    }
    ArrayNode list = root.putArray("problems");
    for (Problem p : problems.subList(0, Math.min(MAX_PROBLEMS, problems.size()))) {
      ObjectNode n = list.addObject();
      n.put("batch", p.batch());
      n.put("period", p.period());
      n.put("reason", p.reason());
    }
    root.put("moreProblems", Math.max(0, problems.size() - MAX_PROBLEMS));
    root.put("text", text());
    return root.toString();
  }

  /** "beam-archiver delete of lms.attempts: COMPLETED_WITH_FAILURES (exit 3), 10 partitions done, 2 failed ..." */
  public String text() {
    StringBuilder sb = new StringBuilder();
    sb.append(failure() ? ":warning: " : ":white_check_mark: ")
        .append("beam-archiver ").append(kind).append(" of ").append(table).append(": ").append(state)
        .append(" (exit ").append(exitCode).append("), ")
        .append(succeeded).append(" partition(s) done, ").append(failed).append(" failed, ").append(skipped).append(" skipped")
        .append(" — job ").append(jobId);
    if (error != null) {
      sb.append("\n").append(error.length() > 500 ? error.substring(0, 500) + "…" : error);
    }
    for (Problem p : problems.subList(0, Math.min(5, problems.size()))) {
      sb.append("\n• ").append(p.batch()).append(" ").append(p.period()).append(": ")
          .append(p.reason() == null ? "" : p.reason().length() > 200 ? p.reason().substring(0, 200) + "…" : p.reason());
    }
    if (problems.size() > 5) {
      sb.append("\n… and ").append(problems.size() - 5).append(" more");
    }
    return sb.toString();
  }
}
