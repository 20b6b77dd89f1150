package org.beamarchiver.ledger;

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

  /** Creates or upgrades the schema. Safe to call on every launch. */
  public void migrate() {
    // Each migration runs in its own transaction and is recorded once done: a rerun after a lost
    // connection goes on with the ones left.
    endpoint.outage().call(
        "migrate the ledger schema",
        () ->
            Flyway.configure()
                .dataSource(endpoint.url(), endpoint.username(), endpoint.password())
                .locations("classpath:db/migration")
                .table("archiver_schema_history")
                .load()
                .migrate());
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

  public Jobs jobs() {
    return new Jobs(endpoint);
  }

  public Leases leases() {
    return new Leases(endpoint);
  }
}
