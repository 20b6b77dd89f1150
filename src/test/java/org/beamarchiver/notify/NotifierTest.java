package org.beamarchiver.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beamarchiver.options.NotifyOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Notifications on a real HTTP server: the body, retries of 5xx, giving up, refusals, options and redaction. */
class NotifierTest {
  private HttpServer server;
  private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());

  /** A webhook at /hook/&lt;token&gt; that answers {@code codes} in turn, then 200. */
  private String hook(int... codes) throws Exception {
    AtomicInteger call = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/hook/",
        exchange -> {
          bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          int i = call.getAndIncrement();
          int code = i < codes.length ? codes[i] : 200;
          exchange.sendResponseHeaders(code, -1);
          exchange.close();
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook/T0K3N?secret=s3cr3t";
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static Notice notice(int exitCode, int problems) {
    List<Notice.Problem> list = IntStream.range(0, problems)
        .mapToObj(i -> new Notice.Problem("b" + i, "2026-W4" + (i % 10), "write failed: reason " + i)).toList();
    return new Notice(
        "run-1", "archive", "lms.attempts", "{\"action\":\"archive\",\"period\":\"ALL\"}",
        exitCode == 0 ? "COMPLETED" : "COMPLETED_WITH_FAILURES", exitCode, 10, problems, 1, null, list);
  }

  @Test
  void aFailureIsPostedAsJsonWithItsProblemsAndAChatText() throws Exception {
    String url = hook();
    Notifier n = new Notifier(List.of(url), false, Duration.ofSeconds(10));
    assertEquals(1, n.send(notice(3, 60)));
    assertEquals(1, bodies.size());
    JsonNode b = new ObjectMapper().readTree(bodies.get(0));
    assertEquals("run-1", b.at("/job/id").asText());
    assertEquals("archive", b.at("/job/kind").asText());
    assertEquals("lms.attempts", b.at("/job/table").asText());
    assertEquals("ALL", b.at("/job/request/period").asText());
    assertEquals("COMPLETED_WITH_FAILURES", b.get("state").asText());
    assertEquals(3, b.get("exitCode").asInt());
    assertEquals(60, b.at("/counts/failed").asInt());
    assertEquals(Notice.MAX_PROBLEMS, b.get("problems").size(), "the first 50 problems");
    assertEquals(10, b.get("moreProblems").asInt(), "and how many more");
    assertEquals("write failed: reason 0", b.at("/problems/0/reason").asText());
    String text = b.get("text").asText();
    assertTrue(text.contains("archive of lms.attempts: COMPLETED_WITH_FAILURES (exit 3)") && text.contains("and 55 more"), text);
  }

  @Test
  void onFailureOnlyUnlessAlways() throws Exception {
    String url = hook();
    assertEquals(0, new Notifier(List.of(url), false, Duration.ofSeconds(5)).send(notice(0, 0)));
    assertEquals(0, bodies.size());
    assertEquals(1, new Notifier(List.of(url), true, Duration.ofSeconds(5)).send(notice(0, 0)));
    assertEquals(1, bodies.size());
  }

  @Test
  void serverErrorsAreRetriedAndClientErrorsAreNot() throws Exception {
    String url = hook(503, 500, 429);
    assertEquals(1, new Notifier(List.of(url), false, Duration.ofSeconds(30)).send(notice(1, 1)));
    assertEquals(4, bodies.size(), "three refusals, then delivered");
    stop();
    bodies.clear();
    String refusing = hook(404, 404);
    assertEquals(0, new Notifier(List.of(refusing), false, Duration.ofSeconds(30)).send(notice(1, 1)));
    assertEquals(1, bodies.size(), "a 404 is not retried");
  }

  @Test
  void anUnreachableWebhookIsGivenUpWithoutFailingTheRun() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    long t0 = System.nanoTime();
    Notifier n = new Notifier(List.of("http://127.0.0.1:" + closed + "/hook/x"), false, Duration.ofSeconds(3));
    assertEquals(0, n.send(notice(1, 1)));
    long seconds = Duration.ofNanos(System.nanoTime() - t0).toSeconds();
    assertTrue(seconds >= 1 && seconds < 20, "retried for about its budget: " + seconds + " s");
  }

  @Test
  void optionsAreCheckedAndUrlsRedacted() {
    NotifyOptions o = PipelineOptionsFactory.fromArgs("--notifyOn=SOMETIMES").as(NotifyOptions.class);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Notifier.of(o));
    assertTrue(e.getMessage().contains("--notifyOn=SOMETIMES is not one of FAILURE, ALWAYS"), e.getMessage());
    NotifyOptions ftp = PipelineOptionsFactory.fromArgs("--notifyUrl=ftp://host/T0K3N").as(NotifyOptions.class);
    e = assertThrows(IllegalArgumentException.class, () -> Notifier.of(ftp));
    assertTrue(e.getMessage().contains("must be an http:// or https:// URL") && !e.getMessage().contains("T0K3N"), e.getMessage());
    String shown = Notifier.redact("https://hooks.example.com:8443/services/T000/B000/XXXX?token=abc");
    assertEquals("https://hooks.example.com:8443/…", shown);
    assertFalse(shown.contains("XXXX") || shown.contains("abc"));
    NotifyOptions two = PipelineOptionsFactory.fromArgs("--notifyUrl=https://a.example/x", "--notifyUrl=https://b.example/y", "--notifyOn=always")
        .as(NotifyOptions.class);
    Notifier n = Notifier.of(two);
    assertEquals(2, n.urls().size());
    assertTrue(n.always());
  }
}
