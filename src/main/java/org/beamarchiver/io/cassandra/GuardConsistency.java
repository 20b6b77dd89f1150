package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ConsistencyLevel;
import com.datastax.driver.core.KeyspaceMetadata;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The consistency the verified delete's guard and the restore's read-and-write need. The guard
 * reads a row, deletes it {@code USING TIMESTAMP} and reads it again; the restore reads a row and
 * writes it. Both are sound only if each of those reads meets every write the application has had
 * acknowledged, and every write of ours is met by the next read: reads and writes must reach
 * overlapping sets of replicas. With the application writing at LOCAL_QUORUM (or stronger), that
 * takes at least a quorum of the local data centre's replicas for every read and write of ours.
 * A weaker level is refused before anything is read.
 */
public final class GuardConsistency {
  /** The weakest level that keeps the guard sound. */
  public static final ConsistencyLevel WEAKEST = ConsistencyLevel.LOCAL_QUORUM;

  /** Levels at least as strong as a local quorum for both reads and writes. */
  static final Set<ConsistencyLevel> SOUND =
      EnumSet.of(ConsistencyLevel.LOCAL_QUORUM, ConsistencyLevel.QUORUM, ConsistencyLevel.EACH_QUORUM, ConsistencyLevel.ALL);

  private static final String NTS = "NetworkTopologyStrategy";

  private GuardConsistency() {}

  /**
   * Checks the connection's consistency against the replication of {@code keyspace}, reading the
   * schema through a cluster of its own (nothing else is read).
   *
   * @see #check(Cluster, String, String, ConsistencyLevel, String)
   */
  public static List<String> check(CassandraConnection connection, String keyspace, String command) {
    try (Cluster cluster = connection.newCluster()) {
      return check(
          cluster, keyspace, connection.localDc(), ConsistencyLevel.valueOf(connection.consistency()), command);
    }
  }

  /**
   * Checks {@code level} against the replication of {@code keyspace}.
   *
   * @param command the command, for the message ({@code delete}, {@code restore})
   * @return notes for the run's output (e.g. a keyspace replicated to several data centres)
   * @throws IllegalArgumentException naming the replication and the weakest allowed level when the
   *     level (or the local data centre) would void the guard
   */
  public static List<String> check(
      Cluster cluster, String keyspace, String localDc, ConsistencyLevel level, String command) {
    KeyspaceMetadata ks = CassandraTable.keyspace(cluster, keyspace);
    if (ks == null) {
      return List.of(); // nothing to guard; the command's own check of its table says so
    }
    Map<String, String> replication = ks.getReplication();
    String strategy = shortClass(replication.get("class"));
    Map<String, Integer> perDc = new LinkedHashMap<>();
    replication.forEach(
        (k, v) -> {
          if (!k.equals("class") && !k.equals("replication_factor") && strategy.equals(NTS)) {
            perDc.put(k, factor(v));
          }
        });
    String described = describe(strategy, replication, perDc);
    int localReplicas =
        strategy.equals(NTS) ? perDc.getOrDefault(localDc, 0) : factor(replication.get("replication_factor"));
    if (!SOUND.contains(level)) {
      int quorum = localReplicas / 2 + 1;
      throw new IllegalArgumentException(
          command + " refuses --cassandraConsistency=" + level + ": keyspace " + keyspace + " has replication "
              + described + ", and the " + command + "'s "
              + (command.equals("delete") ? "check read, delete and re-check" : "read and write of each row")
              + " must each reach a quorum of the local data centre's replicas (" + quorum + " of " + localReplicas
              + (strategy.equals(NTS) ? " in " + localDc : "") + ") to meet every acknowledged write;"
              + " the weakest allowed level is " + WEAKEST + " (QUORUM, EACH_QUORUM and ALL also hold)."
              + " The archive's own read may use a weaker level.");
    }
    List<String> notes = new ArrayList<>();
    if (strategy.equals(NTS)) {
      Set<String> replicated = new TreeSet<>();
      perDc.forEach((dc, n) -> {
        if (n > 0) {
          replicated.add(dc);
        }
      });
      if (localReplicas == 0 && level == ConsistencyLevel.LOCAL_QUORUM) {
        throw new IllegalArgumentException(
            command + " refuses --cassandraConsistency=" + level + ": keyspace " + keyspace + " has replication "
                + described + ", with no replica in the local data centre --cassandraLocalDc=" + localDc
                + "; set --cassandraLocalDc to one of " + replicated);
      }
      if (replicated.size() > 1 && level == ConsistencyLevel.LOCAL_QUORUM) {
        notes.add(
            "keyspace " + keyspace + " is replicated to " + String.join(" and ", replicated)
                + ": a LOCAL_QUORUM check in " + localDc + " cannot see a write still travelling from another"
                + " data centre; if the application writes in more than one, run with"
                + " --cassandraConsistency=EACH_QUORUM (or QUORUM)");
      }
    } else if (level == ConsistencyLevel.EACH_QUORUM) {
      throw new IllegalArgumentException(
          command + " refuses --cassandraConsistency=EACH_QUORUM: keyspace " + keyspace + " has replication "
              + described + ", and Cassandra takes EACH_QUORUM only with NetworkTopologyStrategy; use QUORUM");
    }
    return notes;
  }

  private static String describe(String strategy, Map<String, String> replication, Map<String, Integer> perDc) {
    if (strategy.equals(NTS)) {
      StringBuilder b = new StringBuilder("{" + NTS);
      perDc.forEach((dc, n) -> b.append(", ").append(dc).append(": ").append(n));
      return b.append('}').toString();
    }
    return "{" + strategy + ", replication_factor: " + replication.get("replication_factor") + "}";
  }

  private static int factor(String value) {
    if (value == null) {
      return 1;
    }
    // Transient replication writes "3/1": the full replicas count here.
    String full = value.contains("/") ? value.substring(0, value.indexOf('/')) : value;
    return Integer.parseInt(full.trim());
  }

  private static String shortClass(String cls) {
    return cls == null ? "?" : cls.substring(cls.lastIndexOf('.') + 1);
  }
}
