package org.beamarchiver.ledger;

import org.beamarchiver.sql.JdbcEndpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Leases in {@code archiver_lease}: at most one holder per resource, each with an expiry, so that a
 * crashed holder blocks others only until its lease runs out. Times are the clients' clocks (keep
 * them in sync, as for any lease); every change is one transaction on the row.
 */
public final class Leases {
  /** Who holds a resource. */
  public record Holder(String holder, String info, Instant acquiredAt, Instant expiresAt) {
    public boolean expired(Instant now) {
      return !expiresAt.isAfter(now);
    }

    public String describe() {
      return holder + " (" + info + "), since " + acquiredAt + ", lease expires " + expiresAt;
    }
  }

  /**
   * The outcome of an attempt: acquired (perhaps taking over an expired lease, then {@code
   * previous} is that holder) or refused ({@code previous} is the live holder).
   */
  public record Acquisition(boolean acquired, Holder previous) {}

  private final JdbcEndpoint connection;

  public Leases(JdbcEndpoint connection) {
    this.connection = connection;
  }

  /**
   * Takes the lease when it is free, expired or already ours. Ridden through a ledger outage: an
   * attempt whose commit answer was lost left the lease ours, which the next attempt finds.
   */
  public Acquisition tryAcquire(String resource, String holder, String info, Duration ttl)
      throws SQLException {
    for (int attempt = 0; ; attempt++) {
      boolean lastTry = attempt >= 5;
      Acquisition a =
          connection.call("take the lease on " + resource, c -> acquireOnce(c, resource, holder, info, ttl, lastTry));
      if (a != null) {
        return a;
      }
    }
  }

  /** One try in one transaction; null when the row changed under us (read it again). */
  private static Acquisition acquireOnce(
      Connection c, String resource, String holder, String info, Duration ttl, boolean lastTry)
      throws SQLException {
    Instant now = Instant.now();
    c.setAutoCommit(false);
    try {
      Holder current = read(c, resource, true);
      if (current != null && !current.holder().equals(holder) && !current.expired(now)) {
        c.rollback();
        return new Acquisition(false, current);
      }
      if (current == null) {
        try (PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO archiver_lease (resource, holder, holder_info, acquired_at, expires_at)"
                    + " VALUES (?,?,?,?,?)")) {
          s.setString(1, resource);
          s.setString(2, holder);
          s.setString(3, info);
          s.setObject(4, Jobs.odt(now));
          s.setObject(5, Jobs.odt(now.plus(ttl)));
          s.executeUpdate();
        }
      } else if (!move(c, resource, current.holder(), holder, info, now, ttl)) {
        c.rollback();
        return null; // changed under us: read again
      }
      c.commit();
      return new Acquisition(true, current == null || current.holder().equals(holder) ? null : current);
    } catch (SQLException e) {
      c.rollback();
      // 23505: a concurrent first insert; read the row again.
      if ("23505".equals(e.getSQLState()) && !lastTry) {
        return null;
      }
      throw e;
    }
  }

  /** Takes a lease from a holder known to be dead (its process is gone); false if it moved on. */
  public boolean takeOver(String resource, String deadHolder, String holder, String info, Duration ttl)
      throws SQLException {
    return connection.call(
        "take over the lease on " + resource,
        c -> move(c, resource, deadHolder, holder, info, Instant.now(), ttl));
  }

  /** Gives the lease held by {@code from} to {@code to}; false when {@code from} no longer holds it. */
  private static boolean move(
      Connection c, String resource, String from, String to, String info, Instant now, Duration ttl)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE archiver_lease SET holder = ?, holder_info = ?, acquired_at = ?, expires_at = ?"
                + " WHERE resource = ? AND holder = ?")) {
      s.setString(1, to);
      s.setString(2, info);
      s.setObject(3, Jobs.odt(now));
      s.setObject(4, Jobs.odt(now.plus(ttl)));
      s.setString(5, resource);
      s.setString(6, from);
      return s.executeUpdate() == 1;
    }
  }

  /** Extends a lease this holder still holds; false when it has lost it. */
  public boolean renew(String resource, String holder, Duration ttl) throws SQLException {
    return connection.call(
        "renew the lease on " + resource,
        c -> {
          try (PreparedStatement s =
                  c.prepareStatement(
                      "UPDATE archiver_lease SET expires_at = ? WHERE resource = ? AND holder = ?")) {
            s.setObject(1, Jobs.odt(Instant.now().plus(ttl)));
            s.setString(2, resource);
            s.setString(3, holder);
            return s.executeUpdate() == 1;
          }
        });
  }

  public void release(String resource, String holder) throws SQLException {
    connection.call(
        "release the lease on " + resource,
        c -> {
          try (PreparedStatement s =
                  c.prepareStatement("DELETE FROM archiver_lease WHERE resource = ? AND holder = ?")) {
            s.setString(1, resource);
            s.setString(2, holder);
            s.executeUpdate();
          }
          return null;
        });
  }

  public Holder holder(String resource) throws SQLException {
    return connection.call(
        "read the lease on " + resource,
        c -> read(c, resource, false));
  }

  private static Holder read(Connection c, String resource, boolean lock) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT holder, holder_info, acquired_at, expires_at FROM archiver_lease WHERE resource = ?"
                + (lock ? " FOR UPDATE" : ""))) {
      s.setString(1, resource);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new Holder(
            rs.getString(1),
            rs.getString(2),
            rs.getObject(3, OffsetDateTime.class).toInstant(),
            rs.getObject(4, OffsetDateTime.class).toInstant());
      }
    }
  }
}
