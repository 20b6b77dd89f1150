package org.beamarchiver.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.beamarchiver.io.store.Stores;

/**
 * A run file: what an archive run will do (or did), written before anything changes. The
 * {@code plan} command writes one with every partition's row count, target object and actions,
 * changing nothing; {@code archive --plan=<file>} executes it; every archive run writes or reuses
 * one and appends its execution. Named {@code <system>_archival_<table>_<YYYYMMDDHH>_run_file.json}
 * in a folder per request, so that different periods never share a file.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunFile(
    String format,
    String system,
    String table,
    String archiveType,
    Instant createdAt,
    String createdBy,
    boolean counted,
    long runEpochMillis,
    Request request,
    boolean forceArchival,
    List<Partition> partitions,
    List<Skipped> skipped,
    List<String> actions,
    List<Execution> executions) {

  public static final String FORMAT = "beam-archiver-run-file/1";

  /** The request, as the period options give it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Request(
      String period, Integer weeks, String date, String asOf, List<String> batchIds, String window) {
    /**
     * The same request for reuse: period, parameters and batch ids, and the same resolved window of
     * weeks (asOf itself differs from run to run when it is not given).
     */
    public boolean sameAs(Request o) {
      return o != null
          && java.util.Objects.equals(period, o.period)
          && java.util.Objects.equals(weeks, o.weeks)
          && java.util.Objects.equals(date, o.date)
          && java.util.Objects.equals(batchIds, o.batchIds)
          && java.util.Objects.equals(window, o.window);
    }

    /** A folder name unique to the request (period, its parameters, the batch ids' digest). */
    public String key() {
      StringBuilder k = new StringBuilder(period);
      if (weeks != null) {
        k.append('-').append(weeks);
      }
      if (date != null) {
        k.append('-').append(date);
      }
      if (batchIds != null && !batchIds.isEmpty()) {
        k.append("-batches-").append(digest(String.join("\n", batchIds)));
      }
      return k.toString();
    }
  }

  /** A partition the run will archive, with its ordered actions. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Partition(
      String batchId,
      String period,
      Long rows,
      String action,
      int iteration,
      String target,
      String replaces,
      List<String> steps) {}

  /** A partition of the request the run leaves alone, and why. */
  public record Skipped(String batchId, String period, String reason) {}

  /** One execution of the run file. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Execution(
      String jobId,
      Instant startedAt,
      Instant endedAt,
      String state,
      Integer partitionsSucceeded,
      Integer partitionsFailed,
      List<String> differences) {}

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(ZoneOffset.UTC);

  /** {@code <dir>/<request key>/<system>_archival_<table>_<YYYYMMDDHH>_run_file.json}. */
  public static String path(String dir, String system, String table, Request request, Instant at) {
    return folder(dir, request) + safe(system) + "_archival_" + safe(table) + "_" + HOUR.format(at) + "_run_file.json";
  }

  private static String folder(String dir, Request request) {
    String d = dir.endsWith("/") ? dir : dir + "/";
    return d + safe(request.key()) + "/";
  }

  private static String safe(String s) {
    return s.replaceAll("[^A-Za-z0-9_.-]", "_");
  }

  private static String digest(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public RunFile withExecution(Execution e) {
    List<Execution> all = new ArrayList<>(executions == null ? List.of() : executions);
    all.removeIf(x -> x.jobId().equals(e.jobId()));
    all.add(e);
    return new RunFile(format, system, table, archiveType, createdAt, createdBy, counted, runEpochMillis,
        request, forceArchival, partitions, skipped, actions, all);
  }

  /**
   * Before a new run file takes a name an older one has (same table, request and hour), the older
   * one is kept as {@code <name>.replaced-<epochMillis>}, so no run's record is lost.
   */
  public static void keepPrevious(String path) throws IOException {
    MatchResult m = Stores.matchExact(path);
    if (m.status() == MatchResult.Status.OK && !m.metadata().isEmpty()) {
      ResourceId old = m.metadata().get(0).resourceId();
      ResourceId kept = FileSystems.matchNewResource(path + ".replaced-" + System.currentTimeMillis(), false);
      Stores.rename(old, kept);
    }
  }

  public void write(String path) throws IOException {
    // Bytes first: Jackson closes a stream it writes to (see Stores.write).
    Stores.write(path, "application/json", JSON.writeValueAsBytes(this));
  }

  public static RunFile read(String path) throws IOException {
    MatchResult m = Stores.matchExact(path);
    if (m.status() != MatchResult.Status.OK) {
      throw new IllegalArgumentException("--plan=" + path + ": no such run file");
    }
    try {
      RunFile f = JSON.readValue(Stores.readAll(path), RunFile.class);
      if (!FORMAT.equals(f.format())) {
        throw new IllegalArgumentException(
            "--plan=" + path + " is not a run file of this tool (format " + f.format() + ", expected " + FORMAT + ")");
      }
      return f;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException("--plan=" + path + " is not a valid run file: " + e.getOriginalMessage());
    }
  }

  /**
   * The newest run file of this table and request created less than an hour before {@code now},
   * with its path.
   */
  public static Optional<Found> fresh(String dir, String system, String table, Request request, Instant now)
      throws IOException {
    String glob = folder(dir, request) + safe(system) + "_archival_" + safe(table) + "_*_run_file.json";
    MatchResult m = Stores.match(glob);
    if (m.status() != MatchResult.Status.OK) {
      return Optional.empty();
    }
    Found best = null;
    for (MatchResult.Metadata md : m.metadata()) {
      String p = md.resourceId().toString();
      RunFile f;
      try {
        f = read(p);
      } catch (IllegalArgumentException | IOException e) {
        continue;
      }
      if (f.createdAt() != null
          && f.createdAt().isAfter(now.minusSeconds(3600))
          && !f.createdAt().isAfter(now.plusSeconds(60))
          && request.sameAs(f.request())
          && (best == null || f.createdAt().isAfter(best.file().createdAt()))) {
        best = new Found(p, f);
      }
    }
    return Optional.ofNullable(best);
  }

  /** A run file and where it is. */
  public record Found(String path, RunFile file) {}
}
