package org.beamarchiver.cli;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.options.Requests;
import org.beamarchiver.options.ServeOptions;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.status.StatusServer;
import org.beamarchiver.status.StatusSnapshot;

/** {@code serve}: the status page of a table, served live from the ledger until stopped. */
final class ServeCommand extends Command<ServeOptions> {
  ServeCommand() {
    super("serve", "the status page of a table served live from the ledger (until stopped)", ServeOptions.class);
  }

  @Override
  ExitCode execute(ServeOptions options, PrintStream out) throws Exception {
    TableSpec spec = TableSpecLoader.load(Paths.get(options.getTableSpec()));
    int port = options.getPort() == null ? -1 : options.getPort();
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port=" + options.getPort() + " must be 0 (any free port) to 65535");
    }
    int refresh = options.getRefreshSeconds() == null ? -1 : options.getRefreshSeconds();
    if (refresh < 0) {
      throw new IllegalArgumentException("--refreshSeconds=" + options.getRefreshSeconds() + " must be 0 (never) or more");
    }
    if (options.getJobs() == null || options.getJobs() < 0) {
      throw new IllegalArgumentException("--jobs=" + options.getJobs() + " must be 0 or more");
    }
    String bind = options.getBind() == null ? "" : options.getBind().strip();
    InetAddress address;
    try {
      if (bind.isEmpty()) {
        throw new UnknownHostException("empty");
      }
      address = InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "--bind=" + options.getBind() + " is not an address of this machine (127.0.0.1, 0.0.0.0, a host name or IP)");
    }
    // The request is checked now (a wrong --period fails at start) and resolved anew per page.
    Requests.from(options, Instant.now());
    JdbcEndpoint ledger = Ledger.endpoint(options);
    new Ledger(ledger).migrate();
    // A page waits for the ledger no longer than a reload: an outage shows as a page saying so.
    JdbcEndpoint pages = ledger.withOutage(Outage.ofSeconds(Math.max(1, Math.min(refresh == 0 ? 10 : refresh, 10))));
    int jobs = options.getJobs();
    try (StatusServer server =
        StatusServer.start(
            address.getHostAddress(), port, refresh,
            now -> {
              ArchiveRequest request = Requests.from(options, now);
              return StatusSnapshot.read(pages, spec, request, jobs, now);
            },
            message -> out.println("[beam-archiver] " + message))) {
      InetSocketAddress at = server.address();
      String host = address.isAnyLocalAddress() ? "<this host>" : address.getHostAddress();
      out.println("Serving the status page of " + spec.qualifiedTable() + " at http://" + host + ":" + at.getPort() + "/");
      if (!address.isLoopbackAddress()) {
        out.println("  listening on " + address.getHostAddress() + (address.isAnyLocalAddress() ? " (every address of this machine)" : "")
            + ": anyone who can reach it sees the table's names, counts and errors; put it behind your proxy's authentication");
      }
      out.println("  reloads every " + (refresh == 0 ? "never (--refreshSeconds=0)" : refresh + " s") + "; stop with Ctrl-C or SIGTERM");
      out.flush();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        stopped.countDown();
      }, "serve-stop"));
      stopped.await();
    }
    return ExitCode.OK;
  }
}
