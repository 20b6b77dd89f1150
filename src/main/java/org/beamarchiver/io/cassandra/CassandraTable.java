package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ColumnMetadata;
import com.datastax.driver.core.DataType;
import com.datastax.driver.core.Host;
import com.datastax.driver.core.KeyspaceMetadata;
import com.datastax.driver.core.TableMetadata;
import com.datastax.driver.core.VersionNumber;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.values.KV;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.spec.TableSpec;

/**
 * The live table as the pipelines see it: the archived columns in file order, checked against the
 * table spec, and the SELECT that reads them with the write times the delete guard needs.
 *
 * @param layout the archived columns and the positions the pipelines use
 * @param selectCql {@code SELECT <columns>, <write-time expressions> FROM ks.table}
 * @param writeTimeColumns how many write-time expressions follow the columns
 */
public record CassandraTable(RowLayout layout, String selectCql, int writeTimeColumns)
    implements SourceTable {

  /**
   * Reads the schema and checks it against the spec.
   *
   * @throws IllegalArgumentException naming the difference when the spec does not fit the table
   */
  public static CassandraTable resolve(Cluster cluster, TableSpec spec) {
    KeyspaceMetadata ks = cluster.getMetadata().getKeyspace(spec.keyspace());
    if (ks == null) {
      throw new IllegalArgumentException(
          "keyspace '" + spec.keyspace() + "' (table spec source.keyspace) does not exist");
    }
    TableMetadata table = ks.getTable(spec.table());
    if (table == null) {
      throw new IllegalArgumentException(
          "table '" + spec.qualifiedTable() + "' (table spec source.table) does not exist");
    }
    List<String> key =
        table.getPrimaryKey().stream().map(ColumnMetadata::getName).collect(Collectors.toList());
    if (!key.equals(spec.primaryKey())) {
      throw new IllegalArgumentException(
          "table spec primaryKey "
              + spec.primaryKey()
              + " differs from the primary key of "
              + spec.qualifiedTable()
              + ": "
              + key);
    }
    List<ColumnMetadata> columns = new ArrayList<>();
    if (spec.columns().isEmpty()) {
      columns.addAll(table.getColumns());
    } else {
      for (String name : spec.columns()) {
        ColumnMetadata c = table.getColumn(name);
        if (c == null) {
          throw new IllegalArgumentException(
              "table spec column '" + name + "' is not a column of " + spec.qualifiedTable());
        }
        columns.add(c);
      }
    }
    List<String> names = columns.stream().map(ColumnMetadata::getName).collect(Collectors.toList());
    List<String> types =
        columns.stream().map(c -> c.getType().toString()).collect(Collectors.toList());
    int[] pk = key.stream().mapToInt(names::indexOf).toArray();
    int batch = indexOf(names, spec.batchColumn(), "batchColumn", spec);
    int time = indexOf(names, spec.timeColumn(), "timeColumn", spec);
    int collection = indexOf(names, spec.collectionColumn(), "collectionColumn", spec);
    DataType timeType = columns.get(time).getType();
    if (timeType.getName() != DataType.Name.TIMESTAMP) {
      throw new IllegalArgumentException(
          "table spec timeColumn '"
              + spec.timeColumn()
              + "' must be a timestamp column; it is "
              + timeType);
    }
    RowLayout layout =
        new RowLayout(
            names, types, pk, batch, time, collection, spec.rollupOf(names, types),
            columns.stream().map(c -> CqlValueTypes.of(c.getType())).toList());

    boolean multiCellWriteTime = supportsMaxWriteTime(cluster);
    List<String> select = new ArrayList<>();
    for (String n : names) {
      select.add(quote(n));
    }
    int writeTimes = 0;
    for (ColumnMetadata c : columns) {
      if (table.getPrimaryKey().contains(c) || c.isStatic()) {
        continue;
      }
      DataType t = c.getType();
      if (t.getName() == DataType.Name.COUNTER) {
        continue;
      }
      if (t.isCollection() && !t.isFrozen()) {
        if (multiCellWriteTime) {
          select.add("maxwritetime(" + quote(c.getName()) + ")");
          writeTimes++;
        }
      } else {
        select.add("writetime(" + quote(c.getName()) + ")");
        writeTimes++;
      }
    }
    String cql =
        "SELECT "
            + String.join(", ", select)
            + " FROM "
            + quote(spec.keyspace())
            + "."
            + quote(spec.table());
    return new CassandraTable(layout, cql, writeTimes);
  }

  /**
   * Whether writing these columns writes a non-frozen list: its elements get new cell names on
   * every write, so such a write done twice appends the elements twice (it is not idempotent).
   */
  public static boolean writesList(DataType[] types) {
    for (DataType t : types) {
      if (t.getName() == DataType.Name.LIST && !t.isFrozen()) {
        return true;
      }
    }
    return false;
  }

  /** {@code n} slices (lo, hi] covering the Murmur3 ring, the first starting at its minimum. */
  public static List<KV<Long, Long>> tokenRanges(int n) {
    BigInteger min = BigInteger.valueOf(Long.MIN_VALUE);
    BigInteger width = BigInteger.ONE.shiftLeft(64).divide(BigInteger.valueOf(n));
    List<KV<Long, Long>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long lo = min.add(width.multiply(BigInteger.valueOf(i))).longValueExact();
      long hi = i == n - 1 ? Long.MAX_VALUE : min.add(width.multiply(BigInteger.valueOf(i + 1))).longValueExact();
      out.add(KV.of(lo, hi));
    }
    return out;
  }

  /** Partitions per token-range split when splits are chosen automatically. */
  public static final long PARTITIONS_PER_SPLIT = 20_000;

  /**
   * Splits for a scan: the requested number, or (0) one per {@link #PARTITIONS_PER_SPLIT}
   * partitions of the table's size estimates, at least 64. Small ranges keep each range query
   * under the tombstone thresholds after a mass delete, and give the runner work to spread.
   */
  public static int splits(Cluster cluster, TableSpec spec, int requested) {
    if (requested > 0) {
      return requested;
    }
    long partitions = 0;
    try (com.datastax.driver.core.Session s = cluster.connect()) {
      for (com.datastax.driver.core.Row r :
          s.execute(
              "SELECT partitions_count FROM system.size_estimates WHERE keyspace_name = ? AND table_name = ?",
              spec.keyspace(),
              spec.table())) {
        partitions += r.getLong(0);
      }
    } catch (RuntimeException e) {
      partitions = 0; // estimates unavailable: fall back to the minimum
    }
    // Each node reports only the ranges it owns as primary.
    partitions *= Math.max(1, cluster.getMetadata().getAllHosts().size());
    long wanted = (partitions + PARTITIONS_PER_SPLIT - 1) / PARTITIONS_PER_SPLIT;
    return (int) Math.max(64, Math.min(wanted, 1 << 16));
  }

  /**
   * {@code maxwritetime} of multi-cell collections arrived in Cassandra 5.0: before it the write
   * times the select reads leave out non-frozen collections.
   */
  static boolean supportsMaxWriteTime(Cluster cluster) {
    for (Host h : cluster.getMetadata().getAllHosts()) {
      VersionNumber v = h.getCassandraVersion();
      if (v == null || v.getMajor() < 5) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(List<String> names, String column, String field, TableSpec spec) {
    int i = names.indexOf(column);
    if (i < 0) {
      throw new IllegalArgumentException(
          "table spec "
              + field
              + " '"
              + column
              + "' is not among the archived columns of "
              + spec.qualifiedTable()
              + ": "
              + names);
    }
    return i;
  }

  /** A table's metadata by its (case-kept) names, or null when the keyspace or table does not exist. */
  public static TableMetadata metadata(Cluster cluster, String keyspace, String table) {
    KeyspaceMetadata ks = keyspace(cluster, keyspace);
    return ks == null ? null : ks.getTable(quote(table));
  }

  /** A keyspace's metadata by its (case-kept) name, or null when it does not exist. */
  public static KeyspaceMetadata keyspace(Cluster cluster, String keyspace) {
    return cluster.getMetadata().getKeyspace(quote(keyspace));
  }

  /** Identifiers are validated as plain names by the spec loader; quoting keeps their case. */
  public static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
