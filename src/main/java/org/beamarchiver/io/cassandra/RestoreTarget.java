package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.BoundStatement;
import com.datastax.driver.core.CodecRegistry;
import com.datastax.driver.core.ColumnMetadata;
import com.datastax.driver.core.ConsistencyLevel;
import com.datastax.driver.core.DataType;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.TableMetadata;
import com.datastax.driver.core.TypeCodec;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.spec.TableSpec;

/**
 * Where a restore writes: a Cassandra table of the archive's shape. Each archived row is first
 * read back from the target by primary key: a row already equal to the archive is left alone (so
 * restoring twice changes nothing, even for list columns, whose elements a second write would
 * append), and a row changed after the archive is kept as it is: it differs from the archive and
 * its newest write time is not older than the archived one (above it, or equal to it when only a
 * non-frozen collection changed on Cassandra 4.x, which has no write time for one). Otherwise the
 * row is upserted with {@code INSERT ... JSON ... DEFAULT UNSET USING TIMESTAMP w+1}, {@code w}
 * being its archived write time: one microsecond above it, so that the verified delete's tombstone
 * (written at {@code w}) does not hide the restored cells, and below any later write.
 */
public final class RestoreTarget {
  /** What happened to one row. */
  public enum Outcome {
    WRITTEN,
    ALREADY_PRESENT,
    KEPT_NEWER
  }

  /** A user type's keyspace, as the driver prints it inside a type ({@code frozen<ks.question>}). */
  private static final Pattern UDT_KEYSPACE = Pattern.compile("(?<=[<,\\s])\"?[A-Za-z0-9_]+\"?\\.");

  private final Session session;
  private final List<String> columns;
  private final DataType[] types;
  private final int[] pk;
  private final TypeCodec<Object>[] keyCodecs;
  private final PreparedStatement current;
  private final SourceRowMapper mapper;
  private final PreparedStatement insertAt;
  private final PreparedStatement insertNow;

  /**
   * @param target the table spec with the target keyspace and table, and the archived columns
   */
  @SuppressWarnings("unchecked")
  public RestoreTarget(Session session, TableSpec target, String consistency) {
    this.session = session;
    CassandraTable table = CassandraTable.resolve(session.getCluster(), target);
    this.columns = table.layout().columns();
    TableMetadata t = CassandraTable.metadata(session.getCluster(), target.keyspace(), target.table());
    this.types = new DataType[columns.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = t.getColumn(CassandraTable.quote(columns.get(i))).getType();
    }
    this.pk = table.layout().primaryKey();
    CodecRegistry registry = session.getCluster().getConfiguration().getCodecRegistry();
    this.keyCodecs = new TypeCodec[pk.length];
    List<String> where = new ArrayList<>();
    for (int k = 0; k < pk.length; k++) {
      keyCodecs[k] = registry.codecFor(types[pk[k]]);
      where.add(CassandraTable.quote(columns.get(pk[k])) + " = ?");
    }
    String qualified = CassandraTable.quote(target.keyspace()) + "." + CassandraTable.quote(target.table());
    ConsistencyLevel cl = ConsistencyLevel.valueOf(consistency);
    this.current = session.prepare(table.selectCql() + " WHERE " + String.join(" AND ", where));
    this.mapper = new SourceRowMapper(session, table.layout(), table.writeTimeColumns());
    this.insertAt = session.prepare("INSERT INTO " + qualified + " JSON ? DEFAULT UNSET USING TIMESTAMP ?");
    this.insertNow = session.prepare("INSERT INTO " + qualified + " JSON ? DEFAULT UNSET");
    current.setConsistencyLevel(cl);
    insertAt.setConsistencyLevel(cl);
    insertNow.setConsistencyLevel(cl);
    // Writing a list again appends its elements again: such a write is not sent twice by the
    // driver (a failed row is read again before it is written again).
    insertAt.setIdempotent(!CassandraTable.writesList(types));
    insertNow.setIdempotent(!CassandraTable.writesList(types));
  }

  /** Restores one archived row (its values in the archive's column order). */
  public ListenableFuture<Outcome> restore(SourceRow row) {
    BoundStatement read = current.bind();
    for (int k = 0; k < pk.length; k++) {
      read.set(k, CqlValues.parse(types[pk[k]], row.values()[pk[k]]), keyCodecs[k]);
    }
    return Futures.transformAsync(
        session.executeAsync(read),
        rs -> {
          Iterator<SourceRow> found = mapper.map(rs);
          if (found.hasNext()) {
            SourceRow now = found.next();
            if (Arrays.equals(now.values(), row.values())) {
              return Futures.immediateFuture(Outcome.ALREADY_PRESENT);
            }
            if (row.writeTimeMicros() != SourceRow.NO_WRITE_TIME && now.writeTimeMicros() >= row.writeTimeMicros()) {
              return Futures.immediateFuture(Outcome.KEPT_NEWER);
            }
          }
          return Futures.transform(session.executeAsync(insert(row)), ignored -> Outcome.WRITTEN, MoreExecutors.directExecutor());
        },
        MoreExecutors.directExecutor());
  }

  private BoundStatement insert(SourceRow row) {
    String json = CqlJson.row(columns, types, row.values());
    if (row.writeTimeMicros() == SourceRow.NO_WRITE_TIME) {
      return insertNow.bind(json); // a row with no regular cell: only its key, no write time to keep
    }
    return insertAt.bind(json, row.writeTimeMicros() + 1);
  }

  /**
   * Why {@code keyspace.table} cannot take the archive's rows, or null when it can: it must exist,
   * have every archived column with the same type (user types compared by name, whatever their
   * keyspace), and the same partition key and clustering columns as the archived table ({@code
   * partitionKey} null when that table is gone: then {@code clustering} is its whole primary key).
   */
  public static String incompatibility(
      Session session, String keyspace, String table, List<Map.Entry<String, String>> archived,
      List<String> partitionKey, List<String> clustering) {
    TableMetadata t = CassandraTable.metadata(session.getCluster(), keyspace, table);
    String name = keyspace + "." + table;
    if (t == null) {
      return "the target table " + name + " does not exist (create it with the archived columns first)";
    }
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> c : archived) {
      ColumnMetadata m = t.getColumn(CassandraTable.quote(c.getKey()));
      if (m == null) {
        problems.add("column " + c.getKey() + " (" + c.getValue() + ") is missing");
      } else if (!unqualified(m.getType().toString()).equals(unqualified(c.getValue()))) {
        problems.add("column " + c.getKey() + " is " + m.getType() + " in the target, " + c.getValue() + " in the archive");
      }
    }
    List<String> targetPartition = t.getPartitionKey().stream().map(ColumnMetadata::getName).toList();
    List<String> targetClustering = t.getClusteringColumns().stream().map(ColumnMetadata::getName).toList();
    if (partitionKey == null) {
      // The archived table is gone: only its key's columns and their order are known.
      List<String> all = new ArrayList<>(targetPartition);
      all.addAll(targetClustering);
      if (!all.equals(clustering)) {
        problems.add("the primary key is " + key(targetPartition, targetClustering) + " in the target, " + clustering + " in the archive");
      }
    } else if (!targetPartition.equals(partitionKey) || !targetClustering.equals(clustering)) {
      problems.add(
          "the primary key is " + key(targetPartition, targetClustering) + " in the target, "
              + key(partitionKey, clustering) + " in the archive");
    }
    return problems.isEmpty() ? null : "the target table " + name + " does not fit the archive: " + String.join("; ", problems);
  }

  private static String key(List<String> partition, List<String> clustering) {
    return "((" + String.join(", ", partition) + ")" + (clustering.isEmpty() ? "" : ", " + String.join(", ", clustering)) + ")";
  }

  static String unqualified(String type) {
    return UDT_KEYSPACE.matcher(type).replaceAll("");
  }
}
