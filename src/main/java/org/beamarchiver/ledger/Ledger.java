package org.beamarchiver.ledger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.beamarchiver.options.LedgerOptions;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.sql.JdbcEndpoint;
import org.flywaydb.core.Flyway;

/**
 * The ledger in any JDBC database the project supports (PostgreSQL, H2): its schema, created and
 * versioned by Flyway, and its tables by concern. Workers that keep a connection build the concern
 * they need over {@link JdbcEndpoint#reused()} instead.
 */
public final class Ledger {
  private final JdbcEndpoint endpoint;

  public Ledger(JdbcEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** The ledger database named by the options; the password from LEDGER_PASSWORD if not given. */
  public static JdbcEndpoint endpoint(LedgerOptions o) {
    String url = o.getLedgerUrl();
    if (url == null || !url.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "--ledgerUrl must be a JDBC URL (jdbc:postgresql://host:port/db or jdbc:h2:<file>), got "
              + url);
    }
    url = JdbcEndpoint.absoluteH2(url);
    String password = o.getLedgerPassword();
    if (password == null || password.isEmpty()) {
      password = System.getenv("LEDGER_PASSWORD");
    }
    return new JdbcEndpoint(
        url,
        o.getLedgerUsername() == null || o.getLedgerUsername().isEmpty()
            ? null
            : o.getLedgerUsername(),
        password == null || password.isEmpty() ? null : password,
        Outage.ofSeconds(o.getMaxOutageSeconds()));
  }

  /**
   * The newest migration under {@code db/migration} ({@code V<n>__...sql}); a test holds it equal to
   * the files, so a new migration cannot be forgotten here.
   */
  static final int LATEST_VERSION = 8;

  /** Creates or upgrades the schema. Safe to call on every launch. */
  public void migrate() {
    // Each migration runs in its own transaction and is recorded once done: a rerun after a lost
    // connection goes on with the ones left.
    endpoint.outage().call(
        "migrate the ledger schema",
        () -> {
          if (current()) {
            return null; // one query instead of Flyway's scan of the jar (~1 s on every launch)
          }
          // Jobs of one launch run in parallel threads: on a new ledger they would all find it
          // empty and each create its tables (H2 refuses the second: "already exists"). One
          // migration at a time in this process; the one after finds the schema current.
          synchronized (MIGRATING) {
            if (current()) {
              return null;
            }
            return Flyway.configure()
                .dataSource(endpoint.url(), endpoint.username(), endpoint.password())
                .locations("classpath:db/migration")
                .table(HISTORY)
                .load()
                .migrate();
          }
        });
  }

  private static final Object MIGRATING = new Object();

  private static final String HISTORY = "archiver_schema_history";

  /**
   * Whether the schema is already at {@link #LATEST_VERSION} with no failed migration recorded, so
   * that Flyway would do nothing. Any doubt (no history table yet, an error) says no: Flyway decides.
   */
  boolean current() {
    try (Connection c = endpoint.open();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT \"version\", \"success\" FROM \"" + HISTORY + "\" WHERE \"version\" IS NOT NULL")) {
      int newest = 0;
      while (r.next()) {
        if (!r.getBoolean(2)) {
          return false;
        }
        newest = Math.max(newest, Integer.parseInt(r.getString(1)));
      }
      return newest == LATEST_VERSION;
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  /** Archived partitions, their write-aheads, manifests and superseded archives. */
  public Archives archives() {
    return new Archives(endpoint);
  }

  public Deletions deletions() {
    return new Deletions(endpoint);
  }

  public Restores restores() {
    return new Restores(endpoint);
  }

  public Verifications verifications() {
    return new Verifications(endpoint);
  }

  /** The recycle bin of files tables: what was recycled where, and what purge emptied. */
  public Recycles recycles() {
    return new Recycles(endpoint);
  }

  public Jobs jobs() {
    return new Jobs(endpoint);
  }

  public Leases leases() {
    return new Leases(endpoint);
  }
}
