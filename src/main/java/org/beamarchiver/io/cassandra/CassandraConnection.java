package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ConsistencyLevel;
import com.datastax.driver.core.NettyOptions;
import com.datastax.driver.core.QueryOptions;
import com.datastax.driver.core.SocketOptions;
import com.datastax.driver.core.policies.DCAwareRoundRobinPolicy;
import com.datastax.driver.core.policies.TokenAwarePolicy;
import io.netty.channel.EventLoopGroup;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.beamarchiver.options.CassandraSourceOptions;
import org.beamarchiver.retry.Outage;

/**
 * How to reach the source cluster, serializable so that workers can connect too. The password is
 * kept out of {@link #toString()}.
 */
public record CassandraConnection(
    List<String> hosts,
    int port,
    String localDc,
    String username,
    String password,
    String consistency,
    int readTimeoutMillis,
    Outage outage)
    implements Serializable {

  public static CassandraConnection from(CassandraSourceOptions o) {
    List<String> hosts =
        Arrays.stream(o.getCassandraHosts().split(","))
            .map(String::trim)
            .filter(h -> !h.isEmpty())
            .collect(Collectors.toList());
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("--cassandraHosts must name at least one host");
    }
    try {
      ConsistencyLevel.valueOf(o.getCassandraConsistency());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--cassandraConsistency="
              + o.getCassandraConsistency()
              + " is not valid; allowed: "
              + Arrays.toString(ConsistencyLevel.values()));
    }
    String password = o.getCassandraPassword();
    if (password == null || password.isEmpty()) {
      password = System.getenv("CASSANDRA_PASSWORD");
    }
    return new CassandraConnection(
        List.copyOf(hosts),
        o.getCassandraPort(),
        o.getCassandraLocalDc(),
        emptyToNull(o.getCassandraUsername()),
        emptyToNull(password),
        o.getCassandraConsistency(),
        o.getCassandraReadTimeoutMillis(),
        Outage.ofSeconds(o.getMaxOutageSeconds()));
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /**
   * The driver's Netty options, but closing a cluster without Netty's default quiet period: that
   * waits 2 s for tasks that never come (the driver's JAVA-914) at every close, and a command opens
   * and closes several clusters (planning, the consistency check, the workers' sessions).
   */
  public static final NettyOptions QUICK_CLOSE =
      new NettyOptions() {
        @Override
        public void onClusterClose(EventLoopGroup eventLoopGroup) {
          eventLoopGroup.shutdownGracefully(0, 15, TimeUnit.SECONDS).syncUninterruptibly();
        }
      };

  /** A new driver cluster; the caller closes it. */
  public Cluster newCluster() {
    Cluster.Builder b =
        Cluster.builder()
            .addContactPoints(hosts.toArray(new String[0]))
            .withPort(port)
            .withoutJMXReporting()
            .withNettyOptions(QUICK_CLOSE)
            .withQueryOptions(
                new QueryOptions()
                    .setConsistencyLevel(ConsistencyLevel.valueOf(consistency))
                    .setFetchSize(5000)
                    // Our reads, and deletes and writes USING TIMESTAMP, give the same result when
                    // run twice: the driver may send them again to another node after a lost
                    // connection or a timeout. Statements that are not (list writes) say so.
                    .setDefaultIdempotence(true))
            .withSocketOptions(new SocketOptions().setReadTimeoutMillis(readTimeoutMillis))
            .withLoadBalancingPolicy(
                new TokenAwarePolicy(DCAwareRoundRobinPolicy.builder().withLocalDc(localDc).build()));
    if (username != null) {
      b.withCredentials(username, password == null ? "" : password);
    }
    return b.build();
  }

  @Override
  public String toString() {
    return "CassandraConnection{hosts="
        + hosts
        + ", port="
        + port
        + ", localDc="
        + localDc
        + ", username="
        + (username == null ? "-" : username)
        + ", password="
        + (password == null ? "-" : "***")
        + "}";
  }
}
