package org.beamarchiver.io.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.beamarchiver.model.ValueType;
import org.beamarchiver.model.ValueType.Kind;

/**
 * A column's canonical text and its typed value, both ways: {@link #parse} turns the text the
 * archive's rows carry into the value typed Parquet stores, {@link #render} gives back exactly the
 * same text. Values: String (TEXT, QUOTED, NUMBER), Boolean, Integer (INT8..INT32, dates as days
 * since 1970), Long (INT64, TIME_NANOS, timestamps as millis or micros), Float, Double, BigDecimal,
 * UUID, byte[], List (LIST; MAP as a list of {key, value} pairs) and Object[] (STRUCT, TUPLE).
 * Collections, tuples and user types are the JSON text {@code CqlText} writes: no spaces, fields
 * in declared order, NaN and infinities as strings, timestamps, dates, UUIDs, blobs, inets and
 * durations as strings, other numbers bare. {@code TypedTextTest} holds {@code render(parse(t))}
 * equal to {@code t} on every type and edge the sources produce.
 */
public final class TypedText {
  private static final JsonFactory JSON = new JsonFactory();

  /** ISO-8601 UTC with exactly three fraction digits (CQL timestamps). */
  public static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private static final HexFormat HEX = HexFormat.of();

  private TypedText() {}

  // ---------------------------------------------------------------- text -> value

  /** The typed value of a column's canonical text (null for null). */
  public static Object parse(ValueType type, String text) {
    if (text == null) {
      return null;
    }
    if (!type.nested()) {
      return leaf(type, text);
    }
    try (JsonParser p = JSON.createParser(text)) {
      p.nextToken();
      Object v = json(type, p);
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("text after the value");
      }
      return v;
    } catch (IOException e) {
      throw new IllegalArgumentException("not the JSON of a " + type + ": " + e.getMessage(), e);
    }
  }

  private static Object leaf(ValueType type, String t) {
    switch (type.kind()) {
      case TEXT:
      case QUOTED:
      case NUMBER:
        return t;
      case BOOLEAN:
        if (t.equals("true") || t.equals("false")) {
          return Boolean.valueOf(t);
        }
        throw new IllegalArgumentException("not a boolean: " + t);
      case INT8:
        return ranged(t, Byte.MIN_VALUE, Byte.MAX_VALUE);
      case INT16:
        return ranged(t, Short.MIN_VALUE, Short.MAX_VALUE);
      case INT32:
        return Integer.parseInt(t);
      case INT64:
      case TIME_NANOS:
        return Long.parseLong(t);
      case FLOAT:
        return Float.parseFloat(t);
      case DOUBLE:
        return Double.parseDouble(t);
      case DECIMAL:
        {
          BigDecimal d = new BigDecimal(t);
          if (d.scale() != type.scale() || d.precision() > type.precision()) {
            throw new IllegalArgumentException(
                "not a decimal(" + type.precision() + "," + type.scale() + "): " + t);
          }
          return d;
        }
      case TIMESTAMP_MILLIS:
        return millis(t);
      case TIMESTAMP_MICROS:
      case LOCAL_TIMESTAMP_MICROS:
        {
          Instant i = Instant.parse(t);
          if (i.getNano() % 1000 != 0) {
            throw new IllegalArgumentException("finer than microseconds: " + t);
          }
          long sec = i.getEpochSecond();
          long us = i.getNano() / 1000;
          try {
            return sec < 0 && us > 0
                ? Math.addExact(Math.multiplyExact(sec + 1, 1_000_000L), us - 1_000_000L)
                : Math.addExact(Math.multiplyExact(sec, 1_000_000L), us);
          } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                t + " is outside the 64-bit microseconds since 1970 of a Parquet timestamp (archive it as CSV)");
          }
        }
      case DATE_CQL:
        return cqlDate(t);
      case DATE_ISO:
        return Math.toIntExact(LocalDate.parse(t).toEpochDay());
      case UUID:
        return UUID.fromString(t);
      case BLOB_0X:
        return hex(t, "0x");
      case BYTES_BACKSLASH_X:
        return hex(t, "\\x");
      default:
        throw new IllegalArgumentException(type + " is not a leaf");
    }
  }

  private static Integer ranged(String t, int min, int max) {
    int v = Integer.parseInt(t);
    if (v < min || v > max) {
      throw new IllegalArgumentException(t + " is out of range");
    }
    return v;
  }

  private static byte[] hex(String t, String prefix) {
    if (!t.startsWith(prefix)) {
      throw new IllegalArgumentException("bytes must start with " + prefix + ": " + t);
    }
    return HEX.parseHex(t, prefix.length(), t.length());
  }

  /** Epoch millis of {@link #MILLIS} text; the common 24-character form parsed by hand. */
  static long millis(String t) {
    if (t.length() == 24 && t.charAt(4) == '-' && t.charAt(10) == 'T' && t.charAt(23) == 'Z') {
      int year = digits(t, 0, 4);
      int month = digits(t, 5, 2);
      int day = digits(t, 8, 2);
      int h = digits(t, 11, 2);
      int m = digits(t, 14, 2);
      int s = digits(t, 17, 2);
      int ms = digits(t, 20, 3);
      if ((year | month | day | h | m | s | ms) >= 0 && t.charAt(7) == '-' && t.charAt(13) == ':' && t.charAt(16) == ':' && t.charAt(19) == '.'
          && h < 24 && m < 60 && s < 60) {
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return ((epochDay * 24 + h) * 60 + m) * 60_000L + s * 1000L + ms;
      }
    }
    return Instant.from(MILLIS.parse(t)).toEpochMilli();
  }

  private static int digits(String t, int from, int n) {
    int v = 0;
    for (int i = from; i < from + n; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Days since 1970 of the driver's date text: year (unpadded, maybe negative), month, day. */
  private static int cqlDate(String t) {
    int second = t.lastIndexOf('-');
    int first = t.lastIndexOf('-', second - 1);
    if (first <= 0 || second - first != 3 || t.length() - second != 3) {
      throw new IllegalArgumentException("not a CQL date: " + t);
    }
    LocalDate d =
        LocalDate.of(
            Integer.parseInt(t, 0, first, 10),
            Integer.parseInt(t, first + 1, second, 10),
            Integer.parseInt(t, second + 1, t.length(), 10));
    return Math.toIntExact(d.toEpochDay());
  }

  private static Object json(ValueType type, JsonParser p) throws IOException {
    JsonToken tok = p.currentToken();
    if (tok == JsonToken.VALUE_NULL) {
      return null;
    }
    switch (type.kind()) {
      case LIST:
        {
          expect(tok, JsonToken.START_ARRAY, type);
          List<Object> out = new ArrayList<>();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            out.add(json(type.parts().get(0), p));
          }
          return out;
        }
      case TUPLE:
        {
          expect(tok, JsonToken.START_ARRAY, type);
          Object[] out = new Object[type.parts().size()];
          int i = 0;
          while (p.nextToken() != JsonToken.END_ARRAY) {
            if (i == out.length) {
              throw new IllegalArgumentException("more components than " + type);
            }
            out[i] = json(type.parts().get(i), p);
            i++;
          }
          return out;
        }
      case STRUCT:
        {
          expect(tok, JsonToken.START_OBJECT, type);
          Object[] out = new Object[type.parts().size()];
          int i = 0;
          while (p.nextToken() != JsonToken.END_OBJECT) {
            String name = p.currentName();
            if (i == out.length || !type.names().get(i).equals(name)) {
              throw new IllegalArgumentException("field " + name + " is not next in " + type);
            }
            p.nextToken();
            out[i] = json(type.parts().get(i), p);
            i++;
          }
          return out;
        }
      case MAP:
        {
          ValueType k = type.parts().get(0);
          ValueType v = type.parts().get(1);
          List<Object> out = new ArrayList<>();
          if (tok == JsonToken.START_OBJECT) {
            while (p.nextToken() != JsonToken.END_OBJECT) {
              Object key = leaf(k, p.currentName());
              p.nextToken();
              out.add(new Object[] {key, json(v, p)});
            }
            return out;
          }
          expect(tok, JsonToken.START_ARRAY, type);
          while (p.nextToken() != JsonToken.END_ARRAY) {
            expect(p.currentToken(), JsonToken.START_ARRAY, type);
            p.nextToken();
            Object key = json(k, p);
            p.nextToken();
            Object value = json(v, p);
            expect(p.nextToken(), JsonToken.END_ARRAY, type);
            out.add(new Object[] {key, value});
          }
          return out;
        }
      case FLOAT:
      case DOUBLE:
      case NUMBER:
      case BOOLEAN:
      case INT8:
      case INT16:
      case INT32:
      case INT64:
      case TIME_NANOS:
      case DECIMAL:
        if (tok == JsonToken.VALUE_STRING && type.kind() != Kind.FLOAT && type.kind() != Kind.DOUBLE) {
          throw new IllegalArgumentException("a string where a " + type + " was expected");
        }
        return leaf(type, p.getText());
      default:
        expect(tok, JsonToken.VALUE_STRING, type);
        return leaf(type, p.getText());
    }
  }

  private static void expect(JsonToken actual, JsonToken expected, ValueType type) {
    if (actual != expected) {
      throw new IllegalArgumentException(actual + " where " + expected + " of a " + type + " was expected");
    }
  }

  // ---------------------------------------------------------------- value -> text

  /** The canonical text of a typed value (null for null): exactly the text it was parsed from. */
  public static String render(ValueType type, Object value) {
    if (value == null) {
      return null;
    }
    if (!type.nested()) {
      return leafText(type, value);
    }
    StringBuilder out = new StringBuilder(256);
    appendJson(out, type, value);
    return out.toString();
  }

  private static String leafText(ValueType type, Object v) {
    switch (type.kind()) {
      case DECIMAL:
        return ((BigDecimal) v).toPlainString();
      case TIMESTAMP_MILLIS:
        return millisText((Long) v);
      case TIMESTAMP_MICROS:
      case LOCAL_TIMESTAMP_MICROS:
        {
          long us = (Long) v;
          return DateTimeFormatter.ISO_INSTANT.format(
              Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000L));
        }
      case DATE_CQL:
        {
          LocalDate d = LocalDate.ofEpochDay((Integer) v);
          return d.getYear() + "-" + pad2(d.getMonthValue()) + "-" + pad2(d.getDayOfMonth());
        }
      case DATE_ISO:
        return LocalDate.ofEpochDay((Integer) v).toString();
      case BLOB_0X:
        return "0x" + HEX.formatHex((byte[]) v);
      case BYTES_BACKSLASH_X:
        return "\\x" + HEX.formatHex((byte[]) v);
      default:
        // TEXT, QUOTED, NUMBER, BOOLEAN, integers, FLOAT (Float.toString), DOUBLE, UUID
        return v.toString();
    }
  }

  private static String pad2(int v) {
    return v < 10 ? "0" + v : Integer.toString(v);
  }

  @SuppressWarnings("unchecked")
  private static void appendJson(StringBuilder out, ValueType type, Object v) {
    if (v == null) {
      out.append("null");
      return;
    }
    switch (type.kind()) {
      case LIST:
        {
          out.append('[');
          List<Object> list = (List<Object>) v;
          for (int i = 0; i < list.size(); i++) {
            out.append(i == 0 ? "" : ",");
            appendJson(out, type.parts().get(0), list.get(i));
          }
          out.append(']');
          return;
        }
      case TUPLE:
      case STRUCT:
        {
          boolean named = type.kind() == Kind.STRUCT;
          out.append(named ? '{' : '[');
          Object[] fields = (Object[]) v;
          for (int i = 0; i < fields.length; i++) {
            out.append(i == 0 ? "" : ",");
            if (named) {
              appendJsonString(out, type.names().get(i));
              out.append(':');
            }
            appendJson(out, type.parts().get(i), fields[i]);
          }
          out.append(named ? '}' : ']');
          return;
        }
      case MAP:
        {
          List<Object[]> entries = (List<Object[]>) v;
          if (entries.isEmpty()) {
            out.append("{}");
            return;
          }
          boolean textKeys = type.parts().get(0).kind() == Kind.TEXT;
          out.append(textKeys ? '{' : '[');
          for (int i = 0; i < entries.size(); i++) {
            Object[] e = entries.get(i);
            out.append(i == 0 ? "" : ",");
            if (textKeys) {
              appendJsonString(out, (String) e[0]);
              out.append(':');
              appendJson(out, type.parts().get(1), e[1]);
            } else {
              out.append('[');
              appendJson(out, type.parts().get(0), e[0]);
              out.append(',');
              appendJson(out, type.parts().get(1), e[1]);
              out.append(']');
            }
          }
          out.append(textKeys ? '}' : ']');
          return;
        }
      case FLOAT:
      case DOUBLE:
        {
          String t = v.toString();
          boolean finite = v instanceof Float f ? Float.isFinite(f) : Double.isFinite((Double) v);
          if (finite) {
            out.append(t);
          } else {
            appendJsonString(out, t);
          }
          return;
        }
      case NUMBER:
      case BOOLEAN:
      case INT8:
      case INT16:
      case INT32:
      case INT64:
      case TIME_NANOS:
        out.append(v);
        return;
      case DECIMAL:
        out.append(((BigDecimal) v).toPlainString());
        return;
      default:
        appendJsonString(out, leafText(type, v));
    }
  }

  /**
   * {@link #MILLIS} of epoch milliseconds, formatted by hand for years 0 to 9999 (every row has
   * timestamps; the formatter builds zone rules on each call).
   */
  public static String millisText(long epochMillis) {
    long seconds = Math.floorDiv(epochMillis, 1000L);
    int millis = (int) Math.floorMod(epochMillis, 1000L);
    java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    int year = t.get(ChronoField.YEAR);
    if (year < 0 || year > 9999) {
      return MILLIS.format(Instant.ofEpochMilli(epochMillis));
    }
    char[] c = new char[24];
    digits(c, 0, year, 4);
    c[4] = '-';
    digits(c, 5, t.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, t.getDayOfMonth(), 2);
    c[10] = 'T';
    digits(c, 11, t.getHour(), 2);
    c[13] = ':';
    digits(c, 14, t.getMinute(), 2);
    c[16] = ':';
    digits(c, 17, t.getSecond(), 2);
    c[19] = '.';
    digits(c, 20, millis, 3);
    c[23] = 'Z';
    return new String(c);
  }

  private static void digits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

  /** A JSON string: quotes, backslashes and control characters escaped, the rest as it is. */
  public static void appendJsonString(StringBuilder out, String s) {
    out.append('"');
    int from = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(s, from, i).append('\\');
      switch (c) {
        case '"', '\\' -> out.append(c);
        case '\b' -> out.append('b');
        case '\t' -> out.append('t');
        case '\n' -> out.append('n');
        case '\f' -> out.append('f');
        case '\r' -> out.append('r');
        default -> out.append("u00").append(HEX_UPPER[c >> 4]).append(HEX_UPPER[c & 0xF]);
      }
      from = i + 1;
    }
    out.append(s, from, n).append('"');
  }
}
