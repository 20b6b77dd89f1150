package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.BoundStatement;
import com.datastax.driver.core.ColumnMetadata;
import com.datastax.driver.core.ConsistencyLevel;
import com.datastax.driver.core.DataType;
import com.datastax.driver.core.KeyspaceMetadata;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.ResultSet;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.TableMetadata;
import com.google.common.util.concurrent.ListenableFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.beamarchiver.model.SourceRow;

/**
 * Where a restore writes: a Cassandra table of the archive's shape. Rows are upserted with {@code
 * INSERT ... JSON ... DEFAULT UNSET USING TIMESTAMP w+1}, {@code w} being the row's archived write
 * time: one microsecond above it so that the verified delete's tombstone (written at {@code w})
 * does not hide the restored cells, and below any later write, so a cell that is newer in the
 * target than in the archive keeps its value. Restoring twice writes the same cells again.
 */
public final class RestoreTarget {
  /** A user type's keyspace, as the driver prints it inside a type ({@code frozen<ks.question>}). */
  private static final Pattern UDT_KEYSPACE = Pattern.compile("(?<=[<,\\s])\"?[A-Za-z0-9_]+\"?\\.");

  private final Session session;
  private final List<String> columns;
  private final DataType[] types;
  private final PreparedStatement insertAt;
  private final PreparedStatement insertNow;

  public RestoreTarget(Session session, String keyspace, String table, List<String> columns, String consistency) {
    this.session = session;
    this.columns = List.copyOf(columns);
    TableMetadata t =
        session.getCluster().getMetadata().getKeyspace(CassandraTable.quote(keyspace)).getTable(CassandraTable.quote(table));
    this.types = new DataType[columns.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = t.getColumn(CassandraTable.quote(columns.get(i))).getType();
    }
    String qualified = CassandraTable.quote(keyspace) + "." + CassandraTable.quote(table);
    this.insertAt = session.prepare("INSERT INTO " + qualified + " JSON ? DEFAULT UNSET USING TIMESTAMP ?");
    this.insertNow = session.prepare("INSERT INTO " + qualified + " JSON ? DEFAULT UNSET");
    ConsistencyLevel cl = ConsistencyLevel.valueOf(consistency);
    insertAt.setConsistencyLevel(cl);
    insertNow.setConsistencyLevel(cl);
  }

  /** Writes one archived row back. */
  public ListenableFuture<ResultSet> write(SourceRow row) {
    String json = CqlJson.row(columns, types, row.values());
    BoundStatement s;
    if (row.writeTimeMicros() == SourceRow.NO_WRITE_TIME) {
      s = insertNow.bind(json); // a row with no regular cell: only its key, no write time to keep
    } else {
      s = insertAt.bind(json, row.writeTimeMicros() + 1);
    }
    return session.executeAsync(s);
  }

  /**
   * Why {@code keyspace.table} cannot take the archive's rows, or null when it can: it must exist,
   * have every archived column with the same type (user types compared by name, whatever their
   * keyspace), and the archive's primary key in the same order.
   */
  public static String incompatibility(
      Session session, String keyspace, String table, List<Map.Entry<String, String>> archived, List<String> primaryKey) {
    KeyspaceMetadata ks = session.getCluster().getMetadata().getKeyspace(CassandraTable.quote(keyspace));
    TableMetadata t = ks == null ? null : ks.getTable(CassandraTable.quote(table));
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
    List<String> key = t.getPrimaryKey().stream().map(ColumnMetadata::getName).toList();
    if (!key.equals(primaryKey)) {
      problems.add("the primary key is " + key + " in the target, " + primaryKey + " in the archive");
    }
    return problems.isEmpty() ? null : "the target table " + name + " does not fit the archive: " + String.join("; ", problems);
  }

  static String unqualified(String type) {
    return UDT_KEYSPACE.matcher(type).replaceAll("");
  }
}
