package org.beamarchiver.io.jdbc;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.ValueType;

/**
 * Canonical text of a JDBC row, as archive files hold it: the same text whatever the driver's
 * transfer format (PostgreSQL's driver switches to binary after a statement's fifth run, unless the
 * source's URL turns it off, as {@link JdbcTable#connection} does), so that a
 * row read again by the verified delete compares equal to its archived copy exactly when it is
 * unchanged. Timestamps are ISO-8601 UTC at the column's full precision (microseconds), a {@code
 * timestamp} without zone read as UTC; numbers in Java's or BigDecimal's plain form; booleans
 * {@code true}/{@code false}; {@code bytea} as {@code \x} hex; everything else (text, uuid, json,
 * jsonb, arrays) as the database renders it. A row's write time, which a JDBC table does not keep,
 * is its time column in microseconds.
 */
public final class JdbcRowText implements JdbcIO.RowMapper<SourceRow> {
  /** How a column's value becomes text. */
  public enum Kind {
    TIMESTAMP,
    TIMESTAMPTZ,
    DATE,
    BOOLEAN,
    INTEGER,
    FLOATING,
    DECIMAL,
    BYTES,
    TEXT;

    static Kind of(int sqlType, String typeName) {
      String n = typeName == null ? "" : typeName.toLowerCase(java.util.Locale.ROOT);
      if (n.equals("timestamptz") || n.equals("timestamp with time zone") || sqlType == Types.TIMESTAMP_WITH_TIMEZONE) {
        return TIMESTAMPTZ;
      }
      switch (sqlType) {
        case Types.TIMESTAMP:
          return TIMESTAMP;
        case Types.DATE:
          return DATE;
        case Types.BOOLEAN:
        case Types.BIT:
          return n.equals("bit") || n.equals("varbit") ? TEXT : BOOLEAN;
        case Types.TINYINT:
        case Types.SMALLINT:
        case Types.INTEGER:
        case Types.BIGINT:
          return INTEGER;
        case Types.REAL:
        case Types.FLOAT:
        case Types.DOUBLE:
          return FLOATING;
        case Types.NUMERIC:
        case Types.DECIMAL:
          // PostgreSQL's money is NUMERIC to the driver but not a number to getBigDecimal.
          return n.equals("money") ? TEXT : DECIMAL;
        case Types.BINARY:
        case Types.VARBINARY:
        case Types.LONGVARBINARY:
        case Types.BLOB:
          return BYTES;
        default:
          return TEXT;
      }
    }
  }

  /** Decimals up to this many digits are typed DECIMAL in Parquet; wider ones stay exact text. */
  static final int MAX_DECIMAL_PRECISION = 38;

  /**
   * The typed form of a column whose text this class writes: floating types (real too) doubles, integers by width, numerics with declared precision (up to 38) and
   * scale DECIMAL, unbounded ones exact text, {@code uuid} a UUID; arrays, JSON, money and the
   * rest stay text.
   */
  static ValueType valueType(Kind kind, int sqlType, String typeName, int size, int digits) {
    switch (kind) {
      case TIMESTAMP:
        return ValueType.of(ValueType.Kind.LOCAL_TIMESTAMP_MICROS);
      case TIMESTAMPTZ:
        return ValueType.of(ValueType.Kind.TIMESTAMP_MICROS);
      case DATE:
        return ValueType.of(ValueType.Kind.DATE_ISO);
      case BOOLEAN:
        return ValueType.of(ValueType.Kind.BOOLEAN);
      case INTEGER:
        return ValueType.of(
            sqlType == Types.BIGINT
                ? ValueType.Kind.INT64
                : sqlType == Types.INTEGER ? ValueType.Kind.INT32 : ValueType.Kind.INT16);
      case FLOATING:
        // A real's text is the database's shortest form of the float read as a double ("128.7"):
        // a 4-byte float would not give that text back for every value, so it is kept as a double.
        return ValueType.of(ValueType.Kind.DOUBLE);
      case DECIMAL:
        return size > 0 && size <= MAX_DECIMAL_PRECISION && digits >= 0 && digits <= size
            ? ValueType.decimal(size, digits)
            : ValueType.of(ValueType.Kind.NUMBER);
      case BYTES:
        return ValueType.of(ValueType.Kind.BYTES_BACKSLASH_X);
      default:
        return "uuid".equalsIgnoreCase(typeName) ? ValueType.of(ValueType.Kind.UUID) : ValueType.of(ValueType.Kind.TEXT);
    }
  }

  private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;
  private static final Counter ROWS_READ = Metrics.counter("archive", "rowsRead");

  private final RowLayout layout;
  private final Kind[] kinds;

  public JdbcRowText(JdbcTable table) {
    this.layout = table.layout();
    this.kinds = table.kinds().toArray(new Kind[0]);
  }

  @Override
  public SourceRow mapRow(ResultSet rs) throws SQLException {
    ROWS_READ.inc();
    return toSourceRow(rs);
  }

  private SourceRow toSourceRow(ResultSet rs) throws SQLException {
    int n = kinds.length;
    String[] values = new String[n];
    int time = layout.time();
    Instant t = null;
    for (int i = 0; i < n; i++) {
      if (i == time) {
        // Read once: the row's time and its text.
        t = instant(rs, i + 1, kinds[i]);
        values[i] = t == null ? null : ISO.format(t);
      } else {
        values[i] = text(rs, i + 1, kinds[i]);
      }
    }
    if (t == null) {
      return new SourceRow(values, SourceRow.NO_TIME, SourceRow.NO_WRITE_TIME);
    }
    long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    return new SourceRow(values, t.toEpochMilli(), micros);
  }

  /** The canonical texts of a result row's first columns (this table's), without counting it as read. */
  public String[] values(ResultSet rs) throws SQLException {
    String[] values = new String[kinds.length];
    for (int i = 0; i < kinds.length; i++) {
      values[i] = text(rs, i + 1, kinds[i]);
    }
    return values;
  }

  /** The rows of a result set, mapped; for the delete's re-read of the archived keys. */
  public List<SourceRow> mapAll(ResultSet rs) throws SQLException {
    List<SourceRow> out = new java.util.ArrayList<>();
    while (rs.next()) {
      out.add(toSourceRow(rs));
    }
    return out;
  }

  static String text(ResultSet rs, int col, Kind kind) throws SQLException {
    switch (kind) {
      case TIMESTAMP:
      case TIMESTAMPTZ:
        {
          Instant t = instant(rs, col, kind);
          return t == null ? null : ISO.format(t);
        }
      case DATE:
        {
          LocalDate d = rs.getObject(col, LocalDate.class);
          return d == null ? null : d.toString();
        }
      case BOOLEAN:
        {
          boolean b = rs.getBoolean(col);
          return rs.wasNull() ? null : Boolean.toString(b);
        }
      case INTEGER:
        {
          long v = rs.getLong(col);
          return rs.wasNull() ? null : Long.toString(v);
        }
      case FLOATING:
        {
          double v = rs.getDouble(col);
          return rs.wasNull() ? null : Double.toString(v);
        }
      case DECIMAL:
        {
          BigDecimal v = rs.getBigDecimal(col);
          return v == null ? null : v.toPlainString();
        }
      case BYTES:
        {
          byte[] v = rs.getBytes(col);
          return v == null ? null : "\\x" + HexFormat.of().formatHex(v);
        }
      default:
        return rs.getString(col);
    }
  }

  static Instant instant(ResultSet rs, int col, Kind kind) throws SQLException {
    if (kind == Kind.TIMESTAMPTZ) {
      OffsetDateTime v = rs.getObject(col, OffsetDateTime.class);
      return v == null ? null : v.toInstant();
    }
    LocalDateTime v = rs.getObject(col, LocalDateTime.class);
    return v == null ? null : v.toInstant(ZoneOffset.UTC);
  }
}
