package org.beamarchiver.ledger;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.beamarchiver.options.LedgerOptions;

/** How to reach the ledger database; serializable for workers; the password never prints. */
public record LedgerConnection(String url, String username, String password)
    implements Serializable {

  public static LedgerConnection from(LedgerOptions o) {
    String url = o.getLedgerUrl();
    if (url == null || !url.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "--ledgerUrl must be a JDBC URL (jdbc:postgresql://host:port/db or jdbc:h2:<file>), got "
              + url);
    }
    String password = o.getLedgerPassword();
    if (password == null || password.isEmpty()) {
      password = System.getenv("LEDGER_PASSWORD");
    }
    return new LedgerConnection(
        url,
        o.getLedgerUsername() == null || o.getLedgerUsername().isEmpty()
            ? null
            : o.getLedgerUsername(),
        password == null || password.isEmpty() ? null : password);
  }

  public Connection open() throws SQLException {
    Properties p = new Properties();
    if (username != null) {
      p.setProperty("user", username);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    return DriverManager.getConnection(url, p);
  }

  @Override
  public String toString() {
    return "LedgerConnection{url=" + url + ", username=" + (username == null ? "-" : username) + "}";
  }
}
