package org.beamarchiver.io.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.model.ValueType;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.options.JdbcSourceOptions;
import org.beamarchiver.spec.TableSpec;

/**
 * A live table in a JDBC database (PostgreSQL), as the pipelines see it: the archived columns in
 * file order with their SQL types, checked against the table spec, and the statements that read
 * and lock them. Identifiers come from a validated spec (plain names) and are always quoted.
 *
 * @param layout the archived columns (types as the database names them, e.g. {@code int8}, {@code
 *     timestamptz}, {@code jsonb}) and the positions the pipelines use
 * @param kinds how each column's value becomes canonical text ({@link JdbcRowText})
 * @param qualifiedName {@code "schema"."table"}
 * @param driverClass the JDBC driver's class, for workers' data sources
 */
public record JdbcTable(RowLayout layout, List<JdbcRowText.Kind> kinds, String qualifiedName, String driverClass)
    implements SourceTable {

  /** The connection to a JDBC source from the options; the password from the environment if not given. */
  public static JdbcEndpoint connection(JdbcSourceOptions o) {
    String url = o.getSourceJdbcUrl();
    if (url == null || !url.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "--sourceJdbcUrl is required for a table spec with source.kind jdbc and must be a JDBC URL"
              + " (jdbc:postgresql://host:port/db), got " + url);
    }
    String password = o.getSourceJdbcPassword();
    if (password == null || password.isEmpty()) {
      password = System.getenv("SOURCE_JDBC_PASSWORD");
    }
    String user = o.getSourceJdbcUsername();
    return new JdbcEndpoint(
        textTransfer(url),
        user == null || user.isEmpty() ? null : user,
        password == null || password.isEmpty() ? null : password);
  }

  /**
   * PostgreSQL's driver switches a statement to binary transfer after its fifth run, and renders
   * some values differently then ({@code text[]} elements quoted or not): the canonical text of a
   * row must not depend on how often a statement ran, so a PostgreSQL source is read as text.
   */
  static String textTransfer(String url) {
    if (!url.startsWith("jdbc:postgresql:") || url.contains("binaryTransfer=")) {
      return url;
    }
    return url + (url.contains("?") ? "&" : "?") + "binaryTransfer=false";
  }

  /**
   * Reads the table's columns and primary key from the database's metadata and checks them
   * against the spec.
   *
   * @throws IllegalArgumentException naming the difference when the spec does not fit the table
   */
  public static JdbcTable resolve(Connection c, TableSpec spec) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    String schema = pattern(md, spec.keyspace());
    String name = pattern(md, spec.table());
    Map<String, String[]> all = columns(md, spec.keyspace(), spec.table());
    if (all.isEmpty()) {
      String lower = spec.qualifiedTable().toLowerCase(java.util.Locale.ROOT);
      boolean folded = false;
      if (!lower.equals(spec.qualifiedTable())) {
        try (ResultSet rs = md.getColumns(null, schema.toLowerCase(java.util.Locale.ROOT), name.toLowerCase(java.util.Locale.ROOT), null)) {
          folded = rs.next();
        }
      }
      throw new IllegalArgumentException(
          "table '" + spec.qualifiedTable() + "' (table spec source.schema and source.table) does not exist in "
              + md.getURL().replaceFirst("[?;].*$", "") + " or has no columns the user may read"
              + (folded ? "; '" + lower + "' does: names are matched exactly, and PostgreSQL folds unquoted names"
                  + " to lower case, so write them in lower case in the spec" : ""));
    }
    List<String> key = primaryKey(md, spec.keyspace(), spec.table());
    if (!key.equals(spec.primaryKey())) {
      throw new IllegalArgumentException(
          "table spec primaryKey " + spec.primaryKey() + " differs from the primary key of "
              + spec.qualifiedTable() + ": " + key
              + (key.isEmpty() ? " (the table has none: the verified delete needs one)" : ""));
    }
    List<String> names = spec.columns().isEmpty() ? new ArrayList<>(all.keySet()) : new ArrayList<>(spec.columns());
    List<String> types = new ArrayList<>();
    List<JdbcRowText.Kind> kinds = new ArrayList<>();
    List<ValueType> valueTypes = new ArrayList<>();
    for (String n : names) {
      String[] t = all.get(n);
      if (t == null) {
        throw new IllegalArgumentException(
            "table spec column '" + n + "' is not a column of " + spec.qualifiedTable());
      }
      types.add(t[0]);
      JdbcRowText.Kind kind = JdbcRowText.Kind.of(Integer.parseInt(t[1]), t[0]);
      kinds.add(kind);
      valueTypes.add(JdbcRowText.valueType(kind, Integer.parseInt(t[1]), t[0], Integer.parseInt(t[2]), Integer.parseInt(t[3])));
    }
    int[] pk = key.stream().mapToInt(names::indexOf).toArray();
    int batch = indexOf(names, spec.batchColumn(), "batchColumn", spec);
    int time = indexOf(names, spec.timeColumn(), "timeColumn", spec);
    int collection = indexOf(names, spec.collectionColumn(), "collectionColumn", spec);
    if (kinds.get(time) != JdbcRowText.Kind.TIMESTAMP && kinds.get(time) != JdbcRowText.Kind.TIMESTAMPTZ) {
      throw new IllegalArgumentException(
          "table spec timeColumn '" + spec.timeColumn() + "' must be a timestamp column; it is " + types.get(time));
    }
    RowLayout layout =
        new RowLayout(names, types, pk, batch, time, collection, spec.rollupOf(names, types), valueTypes);
    return new JdbcTable(layout, List.copyOf(kinds), quote(spec.keyspace()) + "." + quote(spec.table()), driver(c));
  }

  /**
   * A related table of a cascade: every column in the table's order, its primary key checked
   * against {@code primaryKey}; no batch, time or collection column (positions -1).
   *
   * @param field the spec field naming the table, for messages
   */
  static JdbcTable member(Connection c, String schema, String table, List<String> primaryKey, String field)
      throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    Map<String, String[]> all = columns(md, schema, table);
    if (all.isEmpty()) {
      throw new IllegalArgumentException(
          "table '" + schema + "." + table + "' (table spec " + field + ") does not exist or has no columns the user may read");
    }
    List<String> key = primaryKey(md, schema, table);
    if (!key.equals(primaryKey)) {
      throw new IllegalArgumentException(
          "table spec " + field + ".primaryKey " + primaryKey + " differs from the primary key of " + schema + "." + table
              + ": " + key);
    }
    List<String> names = new ArrayList<>(all.keySet());
    List<String> types = new ArrayList<>();
    List<JdbcRowText.Kind> kinds = new ArrayList<>();
    List<ValueType> valueTypes = new ArrayList<>();
    for (String n : names) {
      String[] t = all.get(n);
      types.add(t[0]);
      JdbcRowText.Kind kind = JdbcRowText.Kind.of(Integer.parseInt(t[1]), t[0]);
      kinds.add(kind);
      valueTypes.add(JdbcRowText.valueType(kind, Integer.parseInt(t[1]), t[0], Integer.parseInt(t[2]), Integer.parseInt(t[3])));
    }
    int[] pk = key.stream().mapToInt(names::indexOf).toArray();
    RowLayout layout = new RowLayout(names, types, pk, -1, -1, -1, org.beamarchiver.model.Rollup.NONE, valueTypes);
    return new JdbcTable(layout, List.copyOf(kinds), quote(schema) + "." + quote(table), driver(c));
  }

  private static String driver(Connection c) throws SQLException {
    try {
      Driver d = DriverManager.getDriver(c.getMetaData().getURL());
      return d.getClass().getName();
    } catch (SQLException e) {
      return c.getClass().getName();
    }
  }

  /** A name as a metadata LIKE pattern, in which '_' would match any character: escaped. */
  static String pattern(DatabaseMetaData md, String name) throws SQLException {
    String esc = md.getSearchStringEscape();
    return esc == null ? name : name.replace("_", esc + "_");
  }

  /** A table's columns in order: name -> {type name, java.sql.Types, size, digits}; empty if none. */
  static Map<String, String[]> columns(DatabaseMetaData md, String schema, String table) throws SQLException {
    Map<String, String[]> all = new LinkedHashMap<>();
    try (ResultSet rs = md.getColumns(null, pattern(md, schema), pattern(md, table), null)) {
      TreeMap<Integer, String[]> byPosition = new TreeMap<>();
      while (rs.next()) {
        byPosition.put(
            rs.getInt("ORDINAL_POSITION"),
            new String[] {
              rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME"), Integer.toString(rs.getInt("DATA_TYPE")),
              Integer.toString(rs.getInt("COLUMN_SIZE")), Integer.toString(rs.getInt("DECIMAL_DIGITS"))
            });
      }
      byPosition.values().forEach(v -> all.put(v[0], java.util.Arrays.copyOfRange(v, 1, v.length)));
    }
    return all;
  }

  /** A table's primary-key columns in key order (exact names, not patterns); empty if none. */
  static List<String> primaryKey(DatabaseMetaData md, String schema, String table) throws SQLException {
    TreeMap<Integer, String> keyBySeq = new TreeMap<>();
    try (ResultSet rs = md.getPrimaryKeys(null, schema, table)) {
      while (rs.next()) {
        keyBySeq.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
      }
    }
    return new ArrayList<>(keyBySeq.values());
  }

  private static int indexOf(List<String> names, String column, String field, TableSpec spec) {
    int i = names.indexOf(column);
    if (i < 0) {
      throw new IllegalArgumentException(
          "table spec " + field + " '" + column + "' is not among the archived columns of "
              + spec.qualifiedTable() + ": " + names);
    }
    return i;
  }

  public static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** {@code SELECT <archived columns> FROM "schema"."table"}. */
  public String selectSql() {
    return "SELECT "
        + layout.columns().stream().map(JdbcTable::quote).collect(Collectors.joining(", "))
        + " FROM " + qualifiedName;
  }

  /** Rows whose time column is in [?, ?), of {@code batches} batch ids (bound after the times), or of any batch if 0. */
  public String rangeSql(int batches) {
    String t = quote(layout.timeColumn());
    return selectSql() + " WHERE " + t + " >= ? AND " + t + " < ?" + batchesIn(batches);
  }

  /** Rows without a time (they go to the dead letters), of {@code batches} batch ids or of any batch if 0. */
  public String noTimeSql(int batches) {
    return selectSql() + " WHERE " + quote(layout.timeColumn()) + " IS NULL" + batchesIn(batches);
  }

  private String batchesIn(int n) {
    return n == 0 ? "" : " AND " + quote(layout.batchColumn()) + " IN (" + String.join(", ", java.util.Collections.nCopies(n, "?")) + ")";
  }

  /** Binds an instant to a parameter of the time column's type (UTC for a timestamp without zone). */
  public void bindTime(PreparedStatement ps, int index, Instant t) throws SQLException {
    if (kinds.get(layout.time()) == JdbcRowText.Kind.TIMESTAMPTZ) {
      ps.setObject(index, t.atOffset(java.time.ZoneOffset.UTC));
    } else {
      ps.setObject(index, java.time.LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC));
    }
  }

  /**
   * PostgreSQL's planner estimate of the rows of {@link #rangeSql} over [from, to) (both null: of
   * {@link #noTimeSql}), from EXPLAIN: nothing is read.
   */
  public long plannedRows(Connection c, Instant from, Instant to, List<String> batches) throws SQLException {
    String sql = "EXPLAIN (FORMAT JSON) " + (from == null ? noTimeSql(batches.size()) : rangeSql(batches.size()));
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (from != null) {
        bindTime(ps, i++, from);
        bindTime(ps, i++, to);
      }
      for (String b : batches) {
        ps.setObject(i++, b, java.sql.Types.OTHER);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        com.fasterxml.jackson.databind.JsonNode plan =
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(rs.getString(1)).path(0).path("Plan").path("Plan Rows");
        return plan.isNumber() ? plan.asLong() : 0;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new SQLException("unreadable EXPLAIN output", e);
      }
    }
  }

  /** The earliest time column value before {@code before}, or null when there is none. */
  public Instant earliestTime(Connection c, Instant before) throws SQLException {
    String t = quote(layout.timeColumn());
    try (PreparedStatement ps = c.prepareStatement("SELECT min(" + t + ") FROM " + qualifiedName + " WHERE " + t + " < ?")) {
      bindTime(ps, 1, before);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        Object v = rs.getObject(1);
        if (v == null) {
          return null;
        }
        return JdbcRowText.instant(rs, 1, kinds.get(layout.time()));
      }
    }
  }
}
