package org.beamarchiver.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Serves a table's status page over HTTP, read anew from the ledger on every request, so an open
 * page (which reloads itself) follows the runs. {@code GET /} is the page; every other path is 404
 * and every other method 405. When the ledger cannot be read the answer is 503 with the reason, on
 * a page that reloads too, and the server goes on. Built on the JDK's own HTTP server.
 */
public final class StatusServer implements AutoCloseable {
  /**
   * Reads the status as of an instant; throws SQLException (or the outage's GaveUpException) when
   * the ledger cannot be read.
   */
  @FunctionalInterface
  public interface Source {
    StatusSnapshot read(Instant now) throws java.sql.SQLException;
  }

  private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

  private final HttpServer server;
  private final ExecutorService executor;

  private StatusServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving on {@code bind:port} (port 0: any free one). {@code log} hears of ledger errors
   * (once per change of error, not once per request).
   */
  public static StatusServer start(
      String bind, int port, int refreshSeconds, Source source, Consumer<String> log) throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind, port), 0);
    } catch (BindException e) {
      throw new IllegalArgumentException(
          "--port=" + port + " --bind=" + bind + ": cannot listen there (" + e.getMessage() + ")", e);
    }
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "status-page");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    Page page = new Page(source, refreshSeconds, log);
    server.createContext("/", page::handle);
    server.start();
    return new StatusServer(server, executor);
  }

  /** The address it listens on, with the port actually taken. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** The one handler: the page, or why it cannot be shown. */
  private static final class Page {
    private final Source source;
    private final int refreshSeconds;
    private final Consumer<String> log;
    private String lastError;

    Page(Source source, int refreshSeconds, Consumer<String> log) {
      this.source = source;
      this.refreshSeconds = refreshSeconds;
      this.log = log;
    }

    void handle(HttpExchange x) throws IOException {
      try (x) {
        String method = x.getRequestMethod();
        boolean head = method.equals("HEAD");
        if (!head && !method.equals("GET")) {
          x.getResponseHeaders().set("Allow", "GET, HEAD");
          send(x, 405, "text/plain", "only GET and HEAD\n", false);
          return;
        }
        String path = x.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
          send(x, 404, "text/plain", "not found: the status page is at /\n", head);
          return;
        }
        String html;
        int code;
        if (!hostAllowed(x)) {
          send(x, 403, "text/plain", "this page answers to the address it listens on only\n", head);
          return;
        }
        try {
          html = StatusPage.render(source.read(Instant.now()), refreshSeconds);
          code = 200;
          noteError(null);
        } catch (java.sql.SQLException | org.beamarchiver.retry.Outage.GaveUpException e) {
          // the ledger away (a failover, a cut network): a page saying so, which reloads
          String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
          noteError(reason);
          html = StatusPage.unavailable(reason, Instant.now(), refreshSeconds);
          code = 503;
        } catch (RuntimeException e) {
          // anything else is a bug, not an outage
          log.accept("cannot show the page: " + e);
          send(x, 500, "text/plain", "cannot show the page: " + e.getClass().getSimpleName() + "\n", head);
          return;
        }
        send(x, code, "text/html; charset=utf-8", html, head);
      }
    }

    /**
     * Served on loopback, the page answers only to loopback names in its Host header: a web page
     * elsewhere cannot read it through a DNS name rebound to 127.0.0.1. Bound wider, any name.
     */
    private static boolean hostAllowed(HttpExchange x) {
      if (!x.getLocalAddress().getAddress().isLoopbackAddress()) {
        return true;
      }
      String host = x.getRequestHeaders().getFirst("Host");
      if (host == null) {
        return true; // HTTP/1.0 without a Host header: no name to rebind
      }
      String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
          : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
      return name.equalsIgnoreCase("localhost") || name.equals("[::1]") || name.matches("127(\\.\\d{1,3}){3}");
    }

    private synchronized void noteError(String error) {
      if (error == null ? lastError != null : !error.equals(lastError)) {
        log.accept(error == null ? "the ledger can be read again" : "cannot read the ledger: " + error);
      }
      lastError = error;
    }

    private static void send(HttpExchange x, int code, String type, String body, boolean head) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", type);
      x.getResponseHeaders().set("Cache-Control", "no-store");
      x.getResponseHeaders().set("Content-Security-Policy", CSP);
      x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      x.getResponseHeaders().set("Referrer-Policy", "no-referrer");
      if (head) {
        x.sendResponseHeaders(code, -1);
        return;
      }
      x.sendResponseHeaders(code, bytes.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
