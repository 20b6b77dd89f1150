package org.beamarchiver.io.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.beamarchiver.model.SourceRow;

/**
 * A restore into a JDBC table of the archive's shape (PostgreSQL: {@code INSERT ... ON CONFLICT}).
 * Each row is upserted by primary key, and only where the target has no row yet or an older one
 * (its time column earlier than the archived row's): a row equal to the archive or written after it
 * is left alone, so restoring twice changes nothing. Values travel as the archive's canonical text
 * and are cast by the database to each column's type (timestamps ISO-8601, collections and user
 * types JSON, for {@code json}/{@code jsonb} or text columns). One transaction per partition.
 */
public final class JdbcRestoreTarget {
  private static final int BATCH = 500;

  /** Which SQL column types take which Cassandra type's canonical text. */
  private static final Map<String, Set<String>> COMPATIBLE = new LinkedHashMap<>();

  static {
    Set<String> text = Set.of("text", "varchar", "character varying", "bpchar", "char", "character", "name");
    COMPATIBLE.put("text", text);
    COMPATIBLE.put("varchar", text);
    COMPATIBLE.put("ascii", text);
    COMPATIBLE.put("int", Set.of("int4", "integer", "int8", "bigint", "numeric"));
    COMPATIBLE.put("smallint", Set.of("int2", "smallint", "int4", "integer", "int8", "bigint", "numeric"));
    COMPATIBLE.put("tinyint", Set.of("int2", "smallint", "int4", "integer", "int8", "bigint", "numeric"));
    COMPATIBLE.put("bigint", Set.of("int8", "bigint", "numeric"));
    COMPATIBLE.put("counter", Set.of("int8", "bigint", "numeric"));
    COMPATIBLE.put("varint", Set.of("numeric"));
    COMPATIBLE.put("decimal", Set.of("numeric"));
    COMPATIBLE.put("double", Set.of("float8", "double precision", "numeric"));
    COMPATIBLE.put("float", Set.of("float4", "real", "float8", "double precision", "numeric"));
    COMPATIBLE.put("boolean", Set.of("bool", "boolean"));
    COMPATIBLE.put("timestamp", Set.of("timestamptz", "timestamp", "timestamp with time zone", "timestamp without time zone"));
    COMPATIBLE.put("date", Set.of("date"));
    COMPATIBLE.put("uuid", Set.of("uuid", "text", "varchar"));
    COMPATIBLE.put("timeuuid", Set.of("uuid", "text", "varchar"));
    COMPATIBLE.put("inet", Set.of("inet", "text", "varchar"));
  }

  private final String table;
  private final List<String> columns;
  private final List<String> primaryKey;
  private final String timeColumn;

  public JdbcRestoreTarget(String table, List<String> columns, List<String> primaryKey, String timeColumn) {
    this.table = table;
    this.columns = List.copyOf(columns);
    this.primaryKey = List.copyOf(primaryKey);
    this.timeColumn = timeColumn;
  }

  /** What one partition's restore did. */
  public record Counts(long written, long kept) {}

  /** Upserts a partition's rows in one transaction; rows already equal or newer are kept. */
  public Counts write(Connection c, Iterator<SourceRow> rows) throws SQLException {
    String sql = upsertSql(qualified(table), columns, primaryKey, timeColumn);
    long written = 0;
    long seen = 0;
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (PreparedStatement s = c.prepareStatement(sql)) {
      int pending = 0;
      while (rows.hasNext()) {
        String[] v = rows.next().values();
        bindText(s, v, v.length);
        s.addBatch();
        seen++;
        if (++pending == BATCH) {
          written += sum(s.executeBatch());
          pending = 0;
        }
      }
      if (pending > 0) {
        written += sum(s.executeBatch());
      }
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
    return new Counts(written, seen - written);
  }

  /**
   * The upsert of one row into {@code qualifiedTable} (quoted): inserted, or written over a row the
   * target holds older by its time column (or without one); a row held as archived or newer is kept.
   */
  static String upsertSql(String qualifiedTable, List<String> columns, List<String> primaryKey, String timeColumn) {
    String cols = columns.stream().map(JdbcTable::quote).collect(Collectors.joining(", "));
    String marks = columns.stream().map(x -> "?").collect(Collectors.joining(", "));
    String keys = primaryKey.stream().map(JdbcTable::quote).collect(Collectors.joining(", "));
    String sets =
        columns.stream().filter(x -> !primaryKey.contains(x)).map(x -> JdbcTable.quote(x) + " = EXCLUDED." + JdbcTable.quote(x))
            .collect(Collectors.joining(", "));
    String t = JdbcTable.quote(timeColumn);
    return "INSERT INTO " + qualifiedTable + " AS existing (" + cols + ") VALUES (" + marks + ") ON CONFLICT (" + keys
        + ") DO " + (sets.isEmpty() ? "NOTHING" // every column is the key: nothing to write over
            : "UPDATE SET " + sets + " WHERE existing." + t + " IS NULL OR existing." + t + " < EXCLUDED." + t);
  }

  /** A row's first {@code n} canonical texts as parameters, typed by the database from the columns they meet. */
  static void bindText(PreparedStatement ps, String[] v, int n) throws SQLException {
    for (int i = 0; i < n; i++) {
      if (v[i] == null) {
        ps.setNull(i + 1, Types.OTHER);
      } else {
        ps.setObject(i + 1, v[i], Types.OTHER); // the database casts the text to the column's type
      }
    }
  }

  private static long sum(int[] counts) {
    long n = 0;
    for (int k : counts) {
      n += Math.max(k, 0);
    }
    return n;
  }

  /**
   * Why the JDBC table cannot take the archive's rows, or null when it can: it must exist, have
   * every archived column with a type that takes the archived type's text, and the archive's
   * primary key.
   */
  public static String incompatibility(Connection c, String table, List<Map.Entry<String, String>> archived, List<String> primaryKey)
      throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    String schema = table.contains(".") ? table.substring(0, table.indexOf('.')) : null;
    String name = table.contains(".") ? table.substring(table.indexOf('.') + 1) : table;
    Map<String, String> types = new TreeMap<>();
    try (ResultSet rs = md.getColumns(null, schema, name, null)) {
      while (rs.next()) {
        types.put(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT), rs.getString("TYPE_NAME").toLowerCase(Locale.ROOT));
      }
    }
    if (types.isEmpty()) {
      return "the target table " + table + " does not exist in " + md.getURL() + " (create it with the archived columns first)";
    }
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> col : archived) {
      String have = types.get(col.getKey().toLowerCase(Locale.ROOT));
      if (have == null) {
        problems.add("column " + col.getKey() + " (" + col.getValue() + ") is missing");
        continue;
      }
      Set<String> fits = COMPATIBLE.get(col.getValue());
      boolean structured = fits == null && !col.getValue().equals("blob") && !col.getValue().equals("time")
          && !col.getValue().equals("duration");
      boolean sameSqlType = have.equals(col.getValue().toLowerCase(Locale.ROOT)); // a JDBC source's archive
      boolean ok =
          sameSqlType
              || (fits != null ? fits.contains(have)
                  : structured ? Set.of("json", "jsonb", "text", "varchar").contains(have) : Set.of("text", "varchar").contains(have));
      if (!ok) {
        problems.add("column " + col.getKey() + " is " + have + " in the target, " + col.getValue() + " in the archive");
      }
    }
    List<String> key = new ArrayList<>();
    Map<Integer, String> bySeq = new TreeMap<>();
    try (ResultSet rs = md.getPrimaryKeys(null, schema, name)) {
      while (rs.next()) {
        bySeq.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
      }
    }
    key.addAll(bySeq.values());
    List<String> expected = primaryKey.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
    if (!key.equals(expected)) {
      problems.add("the primary key is " + key + " in the target, " + expected + " in the archive");
    }
    return problems.isEmpty() ? null : "the target table " + table + " does not fit the archive: " + String.join("; ", problems);
  }

  private static String qualified(String table) {
    int dot = table.indexOf('.');
    return dot < 0 ? JdbcTable.quote(table) : JdbcTable.quote(table.substring(0, dot)) + "." + JdbcTable.quote(table.substring(dot + 1));
  }
}
