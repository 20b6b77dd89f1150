package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.Session;
import java.util.HashMap;
import java.util.Map;

/**
 * One driver session per connection, shared by every DoFn instance of a worker that holds it (a
 * session is thread-safe and pools its connections). A DoFn acquires it in {@code @Setup} or on
 * first use and releases it in {@code @Teardown}; the last release closes the session and its
 * cluster. On a long-lived worker (a Flink session cluster's TaskManager) every job runs in its own
 * class loader, so a session kept for the life of the JVM leaked, per job, the driver's threads,
 * its pooled direct memory and the job's classes: a TaskManager ran out of direct memory after a
 * few jobs.
 */
public final class CassandraSessions {
  private static final Map<CassandraConnection, Shared> SESSIONS = new HashMap<>();

  private static final class Shared {
    final Session session;
    int users;

    Shared(Session session) {
      this.session = session;
    }
  }

  private CassandraSessions() {}

  /** The shared session for {@code c}, opened if no one holds it; pair with {@link #release}. */
  public static synchronized Session acquire(CassandraConnection c) {
    Shared s = SESSIONS.get(c);
    if (s == null) {
      s = new Shared(c.newCluster().connect());
      SESSIONS.put(c, s);
    }
    s.users++;
    return s.session;
  }

  /** Gives back one {@link #acquire}; the last one closes the session and its cluster. */
  public static synchronized void release(CassandraConnection c) {
    Shared s = SESSIONS.get(c);
    if (s != null && --s.users == 0) {
      SESSIONS.remove(c);
      s.session.getCluster().close();
    }
  }
}
