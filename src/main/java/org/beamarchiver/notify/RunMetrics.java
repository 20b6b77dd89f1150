package org.beamarchiver.notify;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.exporter.PushGateway;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.Serializable;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.beamarchiver.options.MetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's metrics when it ends, in the Prometheus text format (the client library's writer): to a
 * file, atomically (node_exporter's textfile collector), and to a Pushgateway. Names follow the
 * conventions ({@code _total}, {@code _seconds}); labels are the table, the kind of run, and the
 * outcome or what was counted. Writing or pushing never changes the run's outcome.
 *
 * @param file --metricsFile, or null
 * @param pushgateway --pushgatewayUrl, or null
 */
public record RunMetrics(String file, String pushgateway) implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(RunMetrics.class);
  public static final RunMetrics NONE = new RunMetrics(null, null);

  /** Counters of the pipelines, and the name each has among the rows metric's {@code what}. */
  static final Map<String, String> ROW_COUNTERS = new LinkedHashMap<>();

  static {
    ROW_COUNTERS.put("rowsRead", "read");
    ROW_COUNTERS.put("rowsKept", "archived");
    ROW_COUNTERS.put("deadLetters", "dead_letter");
    ROW_COUNTERS.put("rowsDeleted", "deleted");
    ROW_COUNTERS.put("rowsWouldDelete", "would_delete");
    ROW_COUNTERS.put("rowsSkippedChanged", "skipped_changed");
    ROW_COUNTERS.put("rowsAbsent", "absent");
    ROW_COUNTERS.put("rowsFailed", "failed");
    ROW_COUNTERS.put("rowsRestored", "restored");
    ROW_COUNTERS.put("relatedRowsDeleted", "related_deleted");
    ROW_COUNTERS.put("filesCopied", "files_copied");
  }

  /** @throws IllegalArgumentException naming the option when the URL is not http(s) */
  public static RunMetrics of(MetricsOptions o) {
    String push = o.getPushgatewayUrl();
    if (push != null && !push.isEmpty()) {
      Notifier.checkHttpUrl("--pushgatewayUrl", push, " (http://host:9091)");
    }
    String file = o.getMetricsFile();
    return new RunMetrics(file == null || file.isEmpty() ? null : file, push == null || push.isEmpty() ? null : push);
  }

  /** What a run's metrics are made of. */
  public record Run(
      String table, String kind, String state, int exitCode, int succeeded, int failed, int skipped,
      Instant started, Instant ended, Map<String, Long> counters, Map<String, Instant> lastSuccess) {}

  /** Writes the file and pushes, as configured; never throws. */
  public void publish(Run run) {
    if (file == null && pushgateway == null) {
      return;
    }
    CollectorRegistry registry = registry(run);
    if (file != null) {
      try {
        write(registry, Path.of(file));
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not write the metrics file {}: {}", file, e.toString());
      }
    }
    if (pushgateway != null) {
      try {
        URI u = URI.create(pushgateway);
        new PushGateway(u.toURL()).pushAdd(registry, "beam_archiver", Map.of("table", run.table(), "kind", run.kind()));
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not push the metrics to {}: {}", Notifier.redact(pushgateway), e.getClass().getSimpleName());
      }
    }
  }

  static CollectorRegistry registry(Run run) {
    CollectorRegistry r = new CollectorRegistry();
    Counter rows = Counter.build("beam_archiver_rows_total", "Rows the run counted, by what happened to them")
        .labelNames("table", "kind", "what").register(r);
    run.counters().forEach((name, value) -> {
      String what = ROW_COUNTERS.get(name);
      if (what != null && value != null) {
        rows.labels(run.table(), run.kind(), what).inc(value);
      }
    });
    Counter partitions = Counter.build("beam_archiver_partitions_total", "Partitions of the run, by outcome")
        .labelNames("table", "kind", "outcome").register(r);
    partitions.labels(run.table(), run.kind(), "succeeded").inc(run.succeeded());
    partitions.labels(run.table(), run.kind(), "failed").inc(run.failed());
    partitions.labels(run.table(), run.kind(), "skipped").inc(run.skipped());
    long bytes = run.counters().getOrDefault("bytesWritten", 0L);
    Counter written = Counter.build("beam_archiver_written_bytes_total", "Bytes of archive files the run wrote")
        .labelNames("table", "kind").register(r);
    written.labels(run.table(), run.kind()).inc(bytes);
    Gauge duration = Gauge.build("beam_archiver_run_duration_seconds", "How long the run took")
        .labelNames("table", "kind", "outcome").register(r);
    duration.labels(run.table(), run.kind(), run.state())
        .set((run.ended().toEpochMilli() - run.started().toEpochMilli()) / 1000.0);
    Gauge exit = Gauge.build("beam_archiver_run_exit_code", "The run's exit code (0 completed, 3 some partitions failed, ...)")
        .labelNames("table", "kind").register(r);
    exit.labels(run.table(), run.kind()).set(run.exitCode());
    Gauge end = Gauge.build("beam_archiver_run_end_timestamp_seconds", "When the run ended (Unix time)")
        .labelNames("table", "kind", "outcome").register(r);
    end.labels(run.table(), run.kind(), run.state()).set(run.ended().toEpochMilli() / 1000.0);
    Gauge last = Gauge.build(
            "beam_archiver_last_success_timestamp_seconds",
            "When the table's last run of this kind completed without failures (Unix time): alert on time() minus it")
        .labelNames("table", "kind").register(r);
    run.lastSuccess().forEach((kind, at) -> last.labels(run.table(), kind).set(at.toEpochMilli() / 1000.0));
    return r;
  }

  /** Written beside the target and renamed over it: a collector never reads half a file. */
  static void write(CollectorRegistry registry, Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        // Without the client's *_created series (a counter's creation time here is the run's end: noise).
        TextFormat.write004(w, registry.filteredMetricFamilySamples(name -> !name.endsWith("_created")));
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
