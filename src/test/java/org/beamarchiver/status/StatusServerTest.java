package org.beamarchiver.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The server around the page: what it answers, and how it rides out a ledger that is away. */
class StatusServerTest {
  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> send(String method, URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesThePageAndSaysWhenTheLedgerIsAway() throws Exception {
    AtomicBoolean away = new AtomicBoolean(false);
    AtomicBoolean gaveUp = new AtomicBoolean(false);
    List<String> log = new CopyOnWriteArrayList<>();
    StatusServer.Source source = now -> {
      if (gaveUp.get()) {
        // what a ledger call throws once its outage budget is spent
        throw new org.beamarchiver.retry.Outage.GaveUpException("read the status", 3, java.time.Duration.ofSeconds(10),
            java.time.Duration.ofSeconds(10), new SQLException("Connection refused"));
      }
      if (away.get()) {
        throw new SQLException("Connection to 127.0.0.1:5432 refused <b>");
      }
      return StatusPageTest.snapshot(List.of(), List.of(), null);
    };
    try (StatusServer server = StatusServer.start("127.0.0.1", 0, 5, source, log::add)) {
      URI root = URI.create("http://127.0.0.1:" + server.address().getPort() + "/");
      HttpResponse<String> ok = send("GET", root);
      assertEquals(200, ok.statusCode());
      assertEquals("text/html; charset=utf-8", ok.headers().firstValue("Content-Type").orElse(""));
      assertTrue(ok.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'none'"));
      assertTrue(ok.body().contains("<meta http-equiv=\"refresh\" content=\"5\">"), ok.body());
      assertEquals(200, send("GET", root.resolve("/index.html")).statusCode());
      HttpResponse<String> head = send("HEAD", root);
      assertEquals(200, head.statusCode());
      assertEquals("", head.body());
      assertEquals(404, send("GET", root.resolve("/favicon.ico")).statusCode());
      HttpResponse<String> post = send("POST", root);
      assertEquals(405, post.statusCode());
      assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));

      away.set(true);
      HttpResponse<String> down = send("GET", root);
      assertEquals(503, down.statusCode());
      assertTrue(down.body().contains("Connection to 127.0.0.1:5432 refused &lt;b&gt;"), down.body());
      assertTrue(down.body().contains("content=\"5\""), "the 503 page reloads too");
      send("GET", root);
      away.set(false);
      assertEquals(200, send("GET", root).statusCode());
      gaveUp.set(true);
      HttpResponse<String> spent = send("GET", root);
      assertEquals(503, spent.statusCode());
      assertTrue(spent.body().contains("read the status failed for 10 s"), spent.body());
      gaveUp.set(false);
      assertEquals(200, send("GET", root).statusCode());
      // one line when the ledger went away (not one per request), one when it came back
      assertEquals(List.of("cannot read the ledger: Connection to 127.0.0.1:5432 refused <b>", "the ledger can be read again",
          "cannot read the ledger: " + "read the status failed for 10 s (3 attempts; --maxOutageSeconds=10), gave up: java.sql.SQLException: Connection refused",
          "the ledger can be read again"), log);
    }
  }

  @Test
  void onLoopbackOnlyLoopbackNamesAreAnsweredAndABugIsNotAnOutage() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    StatusServer.Source broken = now -> {
      throw new IllegalStateException("a bug");
    };
    try (StatusServer ok = StatusServer.start("127.0.0.1", 0, 0, now -> StatusPageTest.snapshot(List.of(), List.of(), null), m -> {});
        StatusServer bug = StatusServer.start("127.0.0.1", 0, 0, broken, log::add)) {
      int port = ok.address().getPort();
      assertEquals(200, statusOf(port, "localhost:" + port));
      assertEquals(200, statusOf(port, "127.0.0.1:" + port));
      assertEquals(200, statusOf(port, "127.0.0.1"));
      // a name rebound to 127.0.0.1 by someone else's web page is refused
      assertEquals(403, statusOf(port, "attacker.example:" + port));
      assertEquals(403, statusOf(port, "127.0.0.1.attacker.example"));
      assertEquals(500, send("GET", URI.create("http://127.0.0.1:" + bug.address().getPort() + "/")).statusCode());
      assertEquals(List.of("cannot show the page: java.lang.IllegalStateException: a bug"), log);
    }
  }

  /** The status code of a GET / with this Host header (raw HTTP/1.1: the JDK client sets Host itself). */
  static int statusOf(int port, String host) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.US_ASCII)).readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  @Test
  void aPortInUseIsAClearError() throws Exception {
    try (StatusServer first = StatusServer.start("127.0.0.1", 0, 0, now -> null, m -> {})) {
      int port = first.address().getPort();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> StatusServer.start("127.0.0.1", port, 0, now -> null, m -> {}));
      assertTrue(e.getMessage().startsWith("--port=" + port + " --bind=127.0.0.1: cannot listen there"), e.getMessage());
    }
  }
}
