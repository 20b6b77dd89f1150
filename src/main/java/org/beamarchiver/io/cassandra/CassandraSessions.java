package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Session;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One driver session per connection per JVM, shared by every DoFn instance on a worker (a
 * session is thread-safe and pools its connections). Sessions live as long as the JVM, like
 * CassandraIO's own; the CLI exits explicitly.
 */
public final class CassandraSessions {
  private static final Map<CassandraConnection, Session> SESSIONS = new ConcurrentHashMap<>();

  private CassandraSessions() {}

  public static Session get(CassandraConnection c) {
    return SESSIONS.computeIfAbsent(
        c,
        k -> {
          Cluster cluster = k.newCluster();
          return cluster.connect();
        });
  }
}
