package org.beamarchiver.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.beamarchiver.sql.Database;
import org.beamarchiver.sql.Sql;
import org.beamarchiver.sql.Sql.Columns;

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

  /** How often a first insert that collided with another's is read again before it fails. */
  private static final int COLLISION_RETRIES = 5;

  private final Database db;

  public Leases(Database db) {
    this.db = db;
  }

  /**
   * Takes the lease when it is free, expired or already ours. Ridden through a ledger outage: an
   * attempt whose commit answer was lost left the lease ours, which the next attempt finds.
   */
  public Acquisition tryAcquire(String resource, String holder, String info, Duration ttl)
      throws SQLException {
    for (int attempt = 0; ; attempt++) {
      Acquisition a;
      try {
        a = db.transaction("take the lease on " + resource, 0, c -> acquireOnce(c, resource, holder, info, ttl));
      } catch (SQLException e) {
        if (Sql.uniqueViolation(e) && attempt < COLLISION_RETRIES) {
          continue; // a concurrent first insert: read the row again
        }
        throw e;
      }
      if (a != null) {
        return a;
      }
    }
  }

  /** One try, in a transaction; null when the row changed under us (read it again). */
  private static Acquisition acquireOnce(Connection c, String resource, String holder, String info, Duration ttl)
      throws SQLException {
    Instant now = Instant.now();
    Holder current = read(c, resource, true);
    if (current != null && !current.holder().equals(holder) && !current.expired(now)) {
      return new Acquisition(false, current);
    }
    if (current == null) {
      Sql.insert(
              "archiver_lease",
              new Columns()
                  .set("resource", resource)
                  .set("holder", holder)
                  .set("holder_info", info)
                  .set("acquired_at", now)
                  .set("expires_at", now.plus(ttl)))
          .update(c);
    } else if (!move(c, resource, current.holder(), holder, info, now, ttl)) {
      return null;
    }
    return new Acquisition(true, current == null || current.holder().equals(holder) ? null : current);
  }

  /** Takes a lease from a holder known to be dead (its process is gone); false if it moved on. */
  public boolean takeOver(String resource, String deadHolder, String holder, String info, Duration ttl)
      throws SQLException {
    return db.call(
        "take over the lease on " + resource,
        c -> move(c, resource, deadHolder, holder, info, Instant.now(), ttl));
  }

  /** Gives the lease held by {@code from} to {@code to}; false when {@code from} no longer holds it. */
  private static boolean move(
      Connection c, String resource, String from, String to, String info, Instant now, Duration ttl)
      throws SQLException {
    return Sql.update(
                "archiver_lease",
                new Columns()
                    .set("holder", to)
                    .set("holder_info", info)
                    .set("acquired_at", now)
                    .set("expires_at", now.plus(ttl)),
                "resource = ? AND holder = ?",
                resource, from)
            .update(c)
        == 1;
  }

  /** Extends a lease this holder still holds; false when it has lost it. */
  public boolean renew(String resource, String holder, Duration ttl) throws SQLException {
    // The time of each attempt (here and below): a retry after an outage writes the time it is sent.
    return db.call(
        "renew the lease on " + resource,
        c -> Sql.of(
                    "UPDATE archiver_lease SET expires_at = ? WHERE resource = ? AND holder = ?",
                    Instant.now().plus(ttl), resource, holder)
                .update(c)
            == 1);
  }

  public void release(String resource, String holder) throws SQLException {
    Sql delete = Sql.of("DELETE FROM archiver_lease WHERE resource = ? AND holder = ?", resource, holder);
    db.call("release the lease on " + resource, delete::update);
  }

  public Holder holder(String resource) throws SQLException {
    return db.call("read the lease on " + resource, c -> read(c, resource, false));
  }

  private static Holder read(Connection c, String resource, boolean lock) throws SQLException {
    return Sql.of(
            "SELECT holder, holder_info, acquired_at, expires_at FROM archiver_lease WHERE resource = ?"
                + (lock ? " FOR UPDATE" : ""),
            resource)
        .first(
            c,
            rs -> new Holder(
                rs.getString("holder"), rs.getString("holder_info"), Sql.instant(rs, "acquired_at"),
                Sql.instant(rs, "expires_at")));
  }
}
