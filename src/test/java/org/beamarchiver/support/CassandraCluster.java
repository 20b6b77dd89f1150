package org.beamarchiver.support;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ConsistencyLevel;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.SimpleStatement;
import com.datastax.driver.core.policies.DCAwareRoundRobinPolicy;
import com.datastax.driver.core.policies.TokenAwarePolicy;
import com.datastax.driver.core.policies.WhiteListPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.beamarchiver.io.cassandra.CassandraConnection;

/**
 * A real Cassandra cluster of several nodes on loopback addresses (node {@code i} on {@code
 * 127.0.0.i}, every node on the same native port), started by {@code servers.sh start
 * cassandra-cluster}; the fault tests stop, freeze and restart its nodes through their recorded
 * PIDs.
 *
 * @param dir the cluster's work dir ({@code node<i>/} under it)
 * @param port the native (CQL) port of every node
 * @param dataCentres the data centre of each node, in node order ({@code dataCentres.get(0)} is node 1's)
 */
public record CassandraCluster(Path dir, int port, List<String> dataCentres) {
  /** The first data centre: the one the tests run in ({@code --cassandraLocalDc}). */
  public String localDc() {
    return dataCentres.get(0);
  }

  /** Contact points for {@code --cassandraHosts}: the local data centre's nodes. */
  public String hosts() {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= dataCentres.size(); i++) {
      if (dataCentres.get(i - 1).equals(localDc())) {
        b.append(b.length() == 0 ? "" : ",").append(address(i));
      }
    }
    return b.toString();
  }

  public static String address(int node) {
    return "127.0.0." + node;
  }

  /** The options that point a command at this cluster. */
  public List<String> options() {
    return List.of("--cassandraHosts=" + hosts(), "--cassandraPort=" + port, "--cassandraLocalDc=" + localDc());
  }

  /** A driver cluster in the local data centre (token-aware); the caller closes it. */
  public Cluster newCluster() {
    return Cluster.builder()
        .withNettyOptions(CassandraConnection.QUICK_CLOSE)
        .addContactPoints(hosts().split(","))
        .withPort(port)
        .withoutJMXReporting()
        .withLoadBalancingPolicy(
            new TokenAwarePolicy(DCAwareRoundRobinPolicy.builder().withLocalDc(localDc()).build()))
        .build();
  }

  /** The live process of node {@code i}. */
  public ProcessHandle process(int node) {
    try {
      long pid = Long.parseLong(Files.readString(dir.resolve("node" + node + "/cassandra.pid")).trim());
      return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("node " + node + " is not running"));
    } catch (IOException e) {
      throw new IllegalStateException("node " + node + " has no PID file", e);
    }
  }

  /** Whether node {@code i}'s process is alive. */
  public boolean running(int node) {
    try {
      long pid = Long.parseLong(Files.readString(dir.resolve("node" + node + "/cassandra.pid")).trim());
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }

  /** Stops node {@code i} at once (SIGKILL), as a crashed machine would, and waits for it to be gone. */
  public void kill(int node) {
    ProcessHandle p = process(node);
    p.destroyForcibly();
    p.onExit().join();
  }

  /** Freezes node {@code i} (SIGSTOP): it keeps its connections open and answers nothing. */
  public void freeze(int node) {
    signal(node, "STOP");
  }

  /** Lets a frozen node go on (SIGCONT). */
  public void thaw(int node) {
    signal(node, "CONT");
  }

  private void signal(int node, String signal) {
    long pid = process(node).pid();
    try {
      Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
      if (k.waitFor() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts stopped nodes again on their own data (a node still running is left alone), then waits
   * until every node reaches every replica.
   */
  public void restart(int... nodes) {
    // At once: a node of an existing cluster rejoins without streaming, whatever the others do.
    java.util.List<Thread> starting = new java.util.ArrayList<>();
    java.util.List<RuntimeException> failed = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    for (int node : nodes) {
      if (!running(node)) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    TestServers.script("start", "cassandra-node", dir.toString(), Integer.toString(node));
                  } catch (RuntimeException e) {
                    failed.add(e);
                  }
                },
                "start-node-" + node);
        t.start();
        starting.add(t);
      }
    }
    for (Thread t : starting) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (!failed.isEmpty()) {
      throw failed.get(0);
    }
    awaitAllUp(Duration.ofMinutes(3));
  }

  /** Starts every node that is not running (after a test that failed half way), then waits for all. */
  public void heal() {
    int[] all = new int[dataCentres.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i + 1;
    }
    restart(all);
  }

  /**
   * Waits until every node, as coordinator, reaches every replica: a write at consistency ALL to
   * a keyspace replicated on every node succeeds through each node in turn. (A driver seeing every
   * node up is not enough: a node that was restarted is marked up by the others' gossip a few
   * seconds later, and until then a quorum through them may be unavailable.)
   */
  public void awaitAllUp(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    int n = dataCentres.size();
    boolean[] ok = new boolean[n + 1];
    RuntimeException last = null;
    while (true) {
      int reached = 0;
      for (int i = 1; i <= n; i++) {
        if (!ok[i]) {
          try {
            probe(i);
            ok[i] = true;
          } catch (RuntimeException e) {
            last = e;
          }
        }
        reached += ok[i] ? 1 : 0;
      }
      if (reached == n) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(
            "only " + reached + " of " + n + " nodes reach every replica after " + timeout + ": " + last, last);
      }
      sleep(1000);
    }
  }

  private void probe(int node) {
    try (Cluster c =
        Cluster.builder()
            .withNettyOptions(CassandraConnection.QUICK_CLOSE)
            .addContactPoint(address(node))
            .withPort(port)
            .withoutJMXReporting()
            .withLoadBalancingPolicy(
                new WhiteListPolicy(
                    DCAwareRoundRobinPolicy.builder().withLocalDc(dataCentres.get(node - 1)).build(),
                    List.of(new InetSocketAddress(address(node), port))))
            .build()) {
      Session s = c.connect();
      StringBuilder replication = new StringBuilder("{'class': 'NetworkTopologyStrategy'");
      new TreeMap<>(dataCentres.stream().collect(Collectors.groupingBy(d -> d, Collectors.counting())))
          .forEach((dc, count) -> replication.append(", '").append(dc).append("': ").append(count));
      s.execute("CREATE KEYSPACE IF NOT EXISTS cluster_probe WITH replication = " + replication + "}");
      s.execute("CREATE TABLE IF NOT EXISTS cluster_probe.probe (node int PRIMARY KEY, at timestamp)");
      s.execute(
          new SimpleStatement("INSERT INTO cluster_probe.probe (node, at) VALUES (?, toTimestamp(now()))", node)
              .setConsistencyLevel(ConsistencyLevel.ALL));
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
