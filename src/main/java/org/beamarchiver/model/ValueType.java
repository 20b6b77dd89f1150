package org.beamarchiver.model;

import java.io.Serializable;
import java.util.List;

/**
 * A column's type as the archive's typed formats see it: what a value is (a timestamp in
 * milliseconds, a list of user-type values, ...) and in which form its canonical text is written
 * (CQL's {@code 0x} blobs or SQL's {@code \x}, a CQL date's unpadded year or ISO's). Built once at
 * launch by the source from its own metadata; the typed Parquet form is derived from it, and the
 * canonical text the pipelines compare is rebuilt from it exactly.
 *
 * @param kind what the value is
 * @param precision for {@link Kind#DECIMAL}, the number of digits; else 0
 * @param scale for {@link Kind#DECIMAL}, the digits after the point; else 0
 * @param names for {@link Kind#STRUCT}, the field names in declared order; else empty
 * @param parts the element type (LIST), key and value types (MAP), field types (STRUCT, TUPLE)
 */
public record ValueType(Kind kind, int precision, int scale, List<String> names, List<ValueType> parts)
    implements Serializable {

  /** What a value is, and the form of its canonical text. */
  public enum Kind {
    /** Text as it is; a JSON string inside a collection; a map with these keys is a JSON object. */
    TEXT,
    /** Kept as its text (inet, duration, a type without a typed form); a JSON string inside a collection. */
    QUOTED,
    /** A number kept as its exact text (CQL decimal and varint, SQL numeric without bounds); bare in JSON. */
    NUMBER,
    BOOLEAN,
    INT8,
    INT16,
    INT32,
    INT64,
    /** CQL {@code time}: nanoseconds since midnight, as a number. */
    TIME_NANOS,
    /** {@code Float.toString}. */
    FLOAT,
    /** {@code Double.toString}. */
    DOUBLE,
    /** A bounded decimal, {@code BigDecimal.toPlainString} at the column's scale. */
    DECIMAL,
    /** CQL {@code timestamp}: UTC millis as {@code uuuu-MM-dd'T'HH:mm:ss.SSS'Z'}. */
    TIMESTAMP_MILLIS,
    /** SQL {@code timestamp with time zone}: UTC micros as ISO-8601 instant text. */
    TIMESTAMP_MICROS,
    /** SQL {@code timestamp} (no zone, read as UTC): micros as ISO-8601 instant text. */
    LOCAL_TIMESTAMP_MICROS,
    /** CQL {@code date}: days since 1970 as the driver writes it, year unpadded ({@code 5-01-31}). */
    DATE_CQL,
    /** SQL {@code date}: days since 1970 as ISO-8601 ({@code 0005-01-31}, {@code +10000-01-01}). */
    DATE_ISO,
    /** A UUID in its lower-case text form. */
    UUID,
    /** Bytes as {@code 0x} and lower-case hex (CQL). */
    BLOB_0X,
    /** Bytes as {@code \x} and lower-case hex (SQL). */
    BYTES_BACKSLASH_X,
    /** CQL list or set: a JSON array. */
    LIST,
    /** CQL map: a JSON object when its keys are TEXT, else an array of [key, value] pairs; empty: {}. */
    MAP,
    /** CQL user type: a JSON object with every field in declared order. */
    STRUCT,
    /** CQL tuple: a JSON array of its components. */
    TUPLE
  }

  public ValueType {
    names = names == null ? List.of() : List.copyOf(names);
    parts = parts == null ? List.of() : List.copyOf(parts);
  }

  public static ValueType of(Kind kind) {
    return new ValueType(kind, 0, 0, List.of(), List.of());
  }

  public static ValueType decimal(int precision, int scale) {
    return new ValueType(Kind.DECIMAL, precision, scale, List.of(), List.of());
  }

  public static ValueType list(ValueType element) {
    return new ValueType(Kind.LIST, 0, 0, List.of(), List.of(element));
  }

  public static ValueType map(ValueType key, ValueType value) {
    return new ValueType(Kind.MAP, 0, 0, List.of(), List.of(key, value));
  }

  public static ValueType struct(List<String> names, List<ValueType> fields) {
    if (names.size() != fields.size()) {
      throw new IllegalArgumentException(names.size() + " field names for " + fields.size() + " fields");
    }
    return new ValueType(Kind.STRUCT, 0, 0, names, fields);
  }

  public static ValueType tuple(List<ValueType> components) {
    return new ValueType(Kind.TUPLE, 0, 0, List.of(), components);
  }

  /** Every column kept as its text: the layout of archives written before typed Parquet. */
  public static List<ValueType> allText(int columns) {
    return java.util.Collections.nCopies(columns, of(Kind.TEXT));
  }

  public boolean nested() {
    return kind == Kind.LIST || kind == Kind.MAP || kind == Kind.STRUCT || kind == Kind.TUPLE;
  }

  /** A short form for messages and the file footer's description: {@code list<struct<a:int32>>}. */
  @Override
  public String toString() {
    String k = kind.name().toLowerCase(java.util.Locale.ROOT);
    switch (kind) {
      case DECIMAL:
        return k + "(" + precision + "," + scale + ")";
      case LIST:
      case MAP:
      case TUPLE:
        return k + "<" + String.join(",", parts.stream().map(ValueType::toString).toList()) + ">";
      case STRUCT:
        {
          StringBuilder b = new StringBuilder(k).append('<');
          for (int i = 0; i < parts.size(); i++) {
            b.append(i == 0 ? "" : ",").append(names.get(i)).append(':').append(parts.get(i));
          }
          return b.append('>').toString();
        }
      default:
        return k;
    }
  }
}
