package org.beamarchiver.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One SQL statement and its arguments in order, run on a caller's connection. Arguments bind by
 * their Java type: {@code String}, {@code Integer}, {@code Long}, {@code Boolean}, an {@code
 * Instant} (as a UTC {@code TIMESTAMP WITH TIME ZONE}), an enum (by its name), {@code null} (as a
 * null string) or a typed {@link Null}.
 */
public final class Sql {
  /** How often {@link #inTransaction} retries after a unique-key violation, by default. */
  public static final int UNIQUE_VIOLATION_RETRIES = 3;

  private static final String UNIQUE_VIOLATION = "23505";

  /** A null of a given {@link Types} type, where a null string would not do. */
  public record Null(int sqlType) {}

  public static final Null NULL_BIGINT = new Null(Types.BIGINT);
  public static final Null NULL_TIMESTAMP = new Null(Types.TIMESTAMP_WITH_TIMEZONE);

  /** Reads one row of a result. */
  @FunctionalInterface
  public interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private final String text;
  private final List<Object> args;

  private Sql(String text, List<Object> args) {
    this.text = text;
    this.args = args;
  }

  public static Sql of(String text, Object... args) {
    return new Sql(text, Arrays.asList(args));
  }

  /** {@code INSERT INTO table (columns) VALUES (?, ...)}. */
  public static Sql insert(String table, Columns values) {
    return new Sql(
        "INSERT INTO " + table + " (" + String.join(", ", values.values.keySet()) + ") VALUES ("
            + String.join(", ", Collections.nCopies(values.values.size(), "?")) + ")",
        new ArrayList<>(values.values.values()));
  }

  /** {@code UPDATE table SET column = ?, ... WHERE where}; the where's arguments follow the values'. */
  public static Sql update(String table, Columns set, String where, Object... whereArgs) {
    List<String> assignments = new ArrayList<>();
    set.values.keySet().forEach(column -> assignments.add(column + " = ?"));
    set.expressions.forEach((column, expression) -> assignments.add(column + " = " + expression));
    List<Object> args = new ArrayList<>(set.values.values());
    args.addAll(Arrays.asList(whereArgs));
    return new Sql("UPDATE " + table + " SET " + String.join(", ", assignments) + " WHERE " + where, args);
  }

  /** {@code "?, ?, ?"} for an {@code IN (...)} of {@code n} values. */
  public static String placeholders(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  public String text() {
    return text;
  }

  /** Runs an INSERT, UPDATE or DELETE; the count of rows it changed. */
  public int update(Connection c) throws SQLException {
    try (PreparedStatement s = prepare(c)) {
      return s.executeUpdate();
    }
  }

  /** Every row of a query. */
  public <T> List<T> list(Connection c, Row<T> row) throws SQLException {
    return list(c, row, 0);
  }

  /** The first {@code maxRows} rows of a query (0: all). */
  public <T> List<T> list(Connection c, Row<T> row, int maxRows) throws SQLException {
    try (PreparedStatement s = prepare(c)) {
      s.setMaxRows(maxRows);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(row.map(rs));
        }
      }
      return out;
    }
  }

  /** The first row of a query, or null when there is none. */
  public <T> T first(Connection c, Row<T> row) throws SQLException {
    try (PreparedStatement s = prepare(c); ResultSet rs = s.executeQuery()) {
      return rs.next() ? row.map(rs) : null;
    }
  }

  /** Whether a query has a row. */
  public boolean exists(Connection c) throws SQLException {
    try (PreparedStatement s = prepare(c); ResultSet rs = s.executeQuery()) {
      return rs.next();
    }
  }

  /** Runs one statement once per argument list, as one JDBC batch. */
  public static void batch(Connection c, String text, Collection<List<Object>> argLists) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(text)) {
      for (List<Object> args : argLists) {
        bind(s, args);
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /**
   * Runs {@code body} in one transaction on {@code c}, rolled back on an error; a unique-key
   * violation (23505: a concurrent insert of the same row) is retried up to {@code
   * uniqueViolationRetries} times, reading again. The connection's auto-commit is restored after.
   */
  public static <T> T inTransaction(Connection c, int uniqueViolationRetries, Database.Work<T> body)
      throws SQLException {
    for (int attempt = 0; ; attempt++) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        T result = body.run(c);
        c.commit();
        return result;
      } catch (SQLException e) {
        c.rollback();
        if (uniqueViolation(e) && attempt < uniqueViolationRetries) {
          continue;
        }
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  /** Whether the error is a unique-key violation (SQL state 23505). */
  public static boolean uniqueViolation(SQLException e) {
    return UNIQUE_VIOLATION.equals(e.getSQLState());
  }

  /** A timestamp column as an instant, or null. */
  public static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  /** A BIGINT column, or null. */
  public static Long longOrNull(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, Long.class);
  }

  /** An INTEGER column, or null. */
  public static Integer intOrNull(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, Integer.class);
  }

  private PreparedStatement prepare(Connection c) throws SQLException {
    PreparedStatement s = c.prepareStatement(text);
    try {
      bind(s, args);
      return s;
    } catch (SQLException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private static void bind(PreparedStatement s, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      int at = i + 1;
      Object v = args.get(i);
      if (v == null || v instanceof String) {
        s.setString(at, (String) v);
      } else if (v instanceof Null n) {
        s.setNull(at, n.sqlType());
      } else if (v instanceof Integer n) {
        s.setInt(at, n);
      } else if (v instanceof Long n) {
        s.setLong(at, n);
      } else if (v instanceof Boolean b) {
        s.setBoolean(at, b);
      } else if (v instanceof Instant t) {
        s.setObject(at, t.atOffset(ZoneOffset.UTC));
      } else if (v instanceof Enum<?> e) {
        s.setString(at, e.name());
      } else {
        throw new IllegalArgumentException("cannot bind a " + v.getClass().getName() + " (argument " + at + ")");
      }
    }
  }

  /** Column values of an INSERT or UPDATE, in order; bound like {@link Sql}'s arguments. */
  public static final class Columns {
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, String> expressions = new LinkedHashMap<>();

    public Columns set(String column, Object value) {
      values.put(column, value);
      return this;
    }

    /** An UPDATE's {@code column = expression} in SQL (after the bound values), e.g. "NULL". */
    public Columns setSql(String column, String expression) {
      expressions.put(column, expression);
      return this;
    }
  }
}
