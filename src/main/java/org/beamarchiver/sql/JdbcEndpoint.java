package org.beamarchiver.sql;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import org.beamarchiver.retry.Outage;

/**
 * A JDBC database (the ledger, a source, a restore target): how to reach it, and how long an outage
 * of it is ridden out; serializable for workers; the password never prints.
 */
public record JdbcEndpoint(String url, String username, String password, Outage outage)
    implements Database, Serializable {

  /** With the default outage budget. */
  public JdbcEndpoint(String url, String username, String password) {
    this(url, username, password, new Outage(Outage.DEFAULT));
  }

  /** The same database with another outage budget. */
  public JdbcEndpoint withOutage(Outage o) {
    return new JdbcEndpoint(url, username, password, o);
  }

  /**
   * Runs one unit of work on a connection of its own (closed afterwards), through an outage of up
   * to {@link #outage()}; see {@link Database#call}.
   */
  @Override
  public <T> T call(String what, Work<T> work) throws SQLException {
    return outage.call(
        what,
        () -> {
          try (Connection c = open()) {
            return work.run(c);
          }
        });
  }

  /**
   * An embedded H2 file given relative to the working directory becomes absolute, so that every
   * process and thread of the run (and H2 itself, which refuses implicit relative paths) agree.
   */
  public static String absoluteH2(String url) {
    if (!url.startsWith("jdbc:h2:")) {
      return url;
    }
    String rest = url.substring("jdbc:h2:".length());
    String prefix = "jdbc:h2:";
    if (rest.startsWith("file:")) {
      rest = rest.substring("file:".length());
      prefix = "jdbc:h2:file:";
    } else if (rest.startsWith("mem:")) {
      return keepOpen(url);
    } else if (rest.matches("^(tcp|ssl|zip|nio|split|async|memFS|memLZF|nioMemFS|nioMemLZF):.*")) {
      return url;
    }
    int semi = rest.indexOf(';');
    String path = semi < 0 ? rest : rest.substring(0, semi);
    String settings = semi < 0 ? "" : rest.substring(semi);
    if (!(path.startsWith("/") || path.startsWith("~") || path.isEmpty())) {
      path = java.nio.file.Paths.get(path).toAbsolutePath().normalize().toString();
    }
    String u = keepOpen(prefix + path + settings);
    // A commit is on disk when it returns (H2 otherwise writes commits up to 500 ms later, and a
    // process killed in that time loses them: a recorded archive would look unrecorded).
    u = u.toUpperCase(java.util.Locale.ROOT).contains("WRITE_DELAY") ? u : u + ";WRITE_DELAY=0";
    // Several processes on one embedded ledger (a run, a status, a second run that must see the
    // first one's lease): H2's automatic mixed mode serves the file to the others over loopback.
    return u.toUpperCase(java.util.Locale.ROOT).contains("AUTO_SERVER") ? u : u + ";AUTO_SERVER=TRUE";
  }

  /**
   * The ledger opens a connection per unit of work, from many threads. An embedded H2 database
   * closes when its last connection does, and closing and reopening it under concurrent use lost
   * recent schema changes in our tests; so it stays open for the life of the process (committed
   * work is on disk either way).
   */
  private static String keepOpen(String url) {
    return url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_DELAY") ? url : url + ";DB_CLOSE_DELAY=-1";
  }

  /** A connection kept open across units of work (a worker's), replaced when it breaks. */
  public Reused reused() {
    return new Reused(this);
  }

  /**
   * One connection reused by {@link #call}s of one thread: cheaper than a connection per unit of
   * work, and as patient with outages (a unit that fails drops the connection; the next try opens
   * a new one). Not thread-safe.
   */
  public static final class Reused implements Database, AutoCloseable {
    private final JdbcEndpoint db;
    private Connection c;

    private Reused(JdbcEndpoint db) {
      this.db = db;
    }

    /** {@link JdbcEndpoint#call} on the kept connection. */
    @Override
    public <T> T call(String what, Work<T> work) throws SQLException {
      return db.outage().call(
          what,
          () -> {
            if (c == null || c.isClosed()) {
              c = db.open();
            }
            try {
              return work.run(c);
            } catch (SQLException | RuntimeException e) {
              close();
              throw e;
            }
          });
    }

    @Override
    public void close() {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // a broken connection: nothing to keep
        }
        c = null;
      }
    }
  }

  public Connection open() throws SQLException {
    Properties p = new Properties();
    if (username != null) {
      p.setProperty("user", username);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    for (Driver d : Drivers.OF_THIS_LOADER) {
      if (d.acceptsURL(url)) {
        return d.connect(url, p);
      }
    }
    return DriverManager.getConnection(url, p);
  }

  /**
   * The JDBC drivers this class's own class loader sees. DriverManager hands a caller only drivers
   * registered through the caller's class loader, and registers the ones it finds once per JVM: on a
   * Flink TaskManager every job has its own user-code class loader, so the second job to reach the
   * ledger from a worker got "No suitable driver" (the drivers were the first job's).
   */
  private static final class Drivers {
    static final List<Driver> OF_THIS_LOADER = load();

    private static List<Driver> load() {
      List<Driver> out = new ArrayList<>();
      ServiceLoader.load(Driver.class, JdbcEndpoint.class.getClassLoader()).forEach(out::add);
      return List.copyOf(out);
    }
  }

  @Override
  public String toString() {
    // The name it printed before it was renamed: run logs and error messages stay as they were.
    return "JdbcEndpoint{url=" + url + ", username=" + (username == null ? "-" : username) + "}";
  }
}
