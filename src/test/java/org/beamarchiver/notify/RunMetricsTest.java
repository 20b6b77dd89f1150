package org.beamarchiver.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beamarchiver.options.MetricsOptions;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics file as a monitoring system reads it: parsed by the Prometheus client's own
 * text-format parser (Python's prometheus_client, Debian's package), not by a pattern.
 */
public class RunMetricsTest {
  @TempDir Path dir;

  /** Every sample of the file: name{labels} → value, through prometheus_client.parser. */
  public static Map<String, Double> parse(Path file) throws Exception {
    String script =
        "import sys, json\n"
            + "from prometheus_client.parser import text_string_to_metric_families\n"
            + "out = {}\n"
            + "for f in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
            + "    for s in f.samples:\n"
            + "        out[s.name + json.dumps(dict(sorted(s.labels.items())), sort_keys=True)] = s.value\n"
            + "    out['#type ' + f.name] = {'counter': 1, 'gauge': 2}.get(f.type, 0)\n"
            + "print(json.dumps(out))\n";
    Process p = new ProcessBuilder(TestServers.prometheusParserPython(), "-c", script, file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    JsonNode n = new ObjectMapper().readTree(out);
    Map<String, Double> m = new HashMap<>();
    n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asDouble()));
    return m;
  }

  public static String key(String name, String... labels) {
    StringBuilder sb = new StringBuilder(name).append('{');
    java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      sorted.put(labels[i], labels[i + 1]);
    }
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      sb.append(i++ > 0 ? ", " : "").append('"').append(e.getKey()).append("\": \"").append(e.getValue()).append('"');
    }
    return sb.append('}').toString();
  }

  @Test
  void theFileParsesAsPrometheusTextWithConventionalNamesAndLabels() throws Exception {
    Path file = dir.resolve("textfile/beam_archiver.prom");
    Instant started = Instant.parse("2026-12-01T10:00:00Z");
    Instant ended = started.plusSeconds(95);
    RunMetrics metrics = new RunMetrics(file.toString(), null);
    metrics.publish(
        new RunMetrics.Run(
            "lms.\"attempts\"", "archive", "COMPLETED_WITH_FAILURES", 3, 10, 2, 1, started, ended,
            Map.of("rowsRead", 5000L, "rowsKept", 4990L, "deadLetters", 10L, "bytesWritten", 123456L, "partitionsWritten", 10L),
            Map.of("archive", started.minusSeconds(86400), "delete", started.minusSeconds(7 * 86400))));
    Map<String, Double> m = parse(file);
    String t = "lms.\\\"attempts\\\"";
    assertEquals(5000.0, m.get(key("beam_archiver_rows_total", "table", t, "kind", "archive", "what", "read")), m.toString());
    assertEquals(4990.0, m.get(key("beam_archiver_rows_total", "table", t, "kind", "archive", "what", "archived")));
    assertEquals(10.0, m.get(key("beam_archiver_rows_total", "table", t, "kind", "archive", "what", "dead_letter")));
    assertEquals(2.0, m.get(key("beam_archiver_partitions_total", "table", t, "kind", "archive", "outcome", "failed")));
    assertEquals(10.0, m.get(key("beam_archiver_partitions_total", "table", t, "kind", "archive", "outcome", "succeeded")));
    assertEquals(123456.0, m.get(key("beam_archiver_written_bytes_total", "table", t, "kind", "archive")));
    assertEquals(95.0, m.get(key("beam_archiver_run_duration_seconds", "table", t, "kind", "archive", "outcome", "COMPLETED_WITH_FAILURES")));
    assertEquals(3.0, m.get(key("beam_archiver_run_exit_code", "table", t, "kind", "archive")));
    assertEquals((double) started.minusSeconds(86400).getEpochSecond(),
        m.get(key("beam_archiver_last_success_timestamp_seconds", "table", t, "kind", "archive")));
    assertEquals((double) started.minusSeconds(7 * 86400).getEpochSecond(),
        m.get(key("beam_archiver_last_success_timestamp_seconds", "table", t, "kind", "delete")));
    assertEquals(1.0, m.get("#type beam_archiver_rows"), "a counter (its samples end _total)");
    assertEquals(2.0, m.get("#type beam_archiver_last_success_timestamp_seconds"), "a gauge");
    try (var files = Files.list(file.getParent())) {
      assertEquals(List.of(file.getFileName().toString()), files.map(p -> p.getFileName().toString()).toList(),
          "written beside and renamed: nothing else left in the collector's folder");
    }
  }

  @Test
  void theSameMetricsArePushedToAPushgatewayGroupedByTableAndKind() throws Exception {
    List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    Path body = dir.resolve("pushed.prom");
    com.sun.net.httpserver.HttpServer gateway =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    gateway.createContext("/metrics/", x -> {
      seen.add(x.getRequestMethod() + " " + x.getRequestURI().getRawPath());
      Files.write(body, x.getRequestBody().readAllBytes());
      x.sendResponseHeaders(202, -1);
      x.close();
    });
    gateway.start();
    try {
      Instant now = Instant.parse("2026-12-01T10:00:00Z");
      new RunMetrics(null, "http://127.0.0.1:" + gateway.getAddress().getPort()).publish(
          new RunMetrics.Run("lms.attempts", "delete", "COMPLETED", 0, 4, 0, 0, now, now.plusSeconds(3),
              Map.of("rowsDeleted", 700L, "rowsSkippedChanged", 2L), Map.of("delete", now.plusSeconds(3))));
    } finally {
      gateway.stop(0);
    }
    assertEquals(1, seen.size(), seen.toString());
    assertTrue(seen.get(0).startsWith("POST /metrics/job/beam_archiver/") && seen.get(0).contains("/kind/delete"), seen.toString());
    Map<String, Double> m = parse(body);
    assertEquals(700.0, m.get(key("beam_archiver_rows_total", "table", "lms.attempts", "kind", "delete", "what", "deleted")), m.toString());
    assertEquals(2.0, m.get(key("beam_archiver_rows_total", "table", "lms.attempts", "kind", "delete", "what", "skipped_changed")));
  }

  @Test
  void aWrongPushgatewayUrlIsRefusedNamingTheOption() {
    MetricsOptions o = PipelineOptionsFactory.fromArgs("--pushgatewayUrl=ftp://host:9091").as(MetricsOptions.class);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunMetrics.of(o));
    assertTrue(e.getMessage().contains("--pushgatewayUrl must be an http:// or https:// URL"), e.getMessage());
  }
}
