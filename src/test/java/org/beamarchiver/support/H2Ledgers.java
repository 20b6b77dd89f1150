package org.beamarchiver.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.beamarchiver.sql.JdbcEndpoint;

/**
 * H2 ledgers that commands run in the test's JVM left open: the product keeps an embedded H2
 * database open for the process's life ({@code DB_CLOSE_DELAY=-1}), so a test shuts it down before
 * its temporary folder is removed (else H2 may still write beside its file while JUnit deletes the
 * folder, and the cleanup fails).
 */
public final class H2Ledgers {
  private H2Ledgers() {}

  /** Shuts down the H2 database of {@code ledgerUrl} (as {@code --ledgerUrl} gives it) if it is open here. */
  public static void shutdown(String ledgerUrl) {
    String url = JdbcEndpoint.absoluteH2(ledgerUrl);
    try (Connection c = DriverManager.getConnection(url.contains(";IFEXISTS=") ? url : url + ";IFEXISTS=TRUE");
        Statement s = c.createStatement()) {
      s.execute("SHUTDOWN");
    } catch (SQLException e) {
      // not there (nothing was written) or already closed: nothing to shut down
    }
  }
}
