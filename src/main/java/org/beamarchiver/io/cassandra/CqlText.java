package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.Duration;
import com.datastax.driver.core.LocalDate;
import com.datastax.driver.core.TupleValue;
import com.datastax.driver.core.UDTValue;
import com.datastax.driver.core.UserType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Date;
import java.util.Map;
import org.beamarchiver.io.format.TypedText;

/**
 * Canonical text for Cassandra values, as they appear in archive files: timestamps ISO-8601 UTC
 * with milliseconds, numbers in Java's canonical form, blobs as CQL hex ({@code 0x...}), and
 * collections, tuples and user types as JSON text (user-type fields in declared order), in the
 * form Cassandra's {@code INSERT ... JSON} accepts back. The same value always gives the same text.
 */
public final class CqlText {
  /** ISO-8601 UTC with exactly three fraction digits, so text order is time order. */
  public static final DateTimeFormatter TIMESTAMP = TypedText.MILLIS;

  private CqlText() {}

  /** The canonical text of a top-level value, or null for null. */
  public static String of(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Date d) {
      return timestamp(d.getTime());
    }
    if (value instanceof Collection<?>
        || value instanceof Map<?, ?>
        || value instanceof UDTValue
        || value instanceof TupleValue) {
      StringBuilder out = new StringBuilder(256);
      appendJson(out, value);
      return out.toString();
    }
    return scalar(value);
  }

  /** {@link #TIMESTAMP} of epoch milliseconds. */
  static String timestamp(long epochMillis) {
    return TypedText.millisText(epochMillis);
  }

  private static String scalar(Object value) {
    if (value instanceof BigDecimal d) {
      return d.toString();
    }
    if (value instanceof ByteBuffer b) {
      ByteBuffer dup = b.duplicate();
      byte[] bytes = new byte[dup.remaining()];
      dup.get(bytes);
      return "0x" + java.util.HexFormat.of().formatHex(bytes);
    }
    if (value instanceof InetAddress a) {
      return a.getHostAddress();
    }
    if (value instanceof Instant i) {
      return timestamp(i.toEpochMilli());
    }
    // Boolean, Integer, Long, Short, Byte, Double, Float, BigInteger, UUID, LocalDate, Duration
    return value.toString();
  }

  /**
   * Appends a value's JSON form: what Jackson's generator writes with its default features (no
   * spaces, {@code Double.toString} numbers, the standard escapes), held equal to it by {@code
   * CqlTextTest}; written by hand because it runs for every collection cell of every row.
   */
  static void appendJson(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      appendJsonString(out, s);
    } else if (value instanceof Date d) {
      appendJsonString(out, timestamp(d.getTime()));
    } else if (value instanceof Boolean b) {
      out.append(b.booleanValue());
    } else if (value instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        appendJsonString(out, d.toString());
      } else {
        out.append(d.doubleValue());
      }
    } else if (value instanceof Float f) {
      if (f.isNaN() || f.isInfinite()) {
        appendJsonString(out, f.toString());
      } else {
        out.append(f.floatValue());
      }
    } else if (value instanceof BigDecimal
        || value instanceof BigInteger
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      out.append(value);
    } else if (value instanceof Map<?, ?> m) {
      boolean textKeys = m.keySet().stream().allMatch(k -> k instanceof String);
      out.append(textKeys ? '{' : '[');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        if (textKeys) {
          appendJsonString(out, (String) e.getKey());
          out.append(':');
          appendJson(out, e.getValue());
        } else {
          out.append('[');
          appendJson(out, e.getKey());
          out.append(',');
          appendJson(out, e.getValue());
          out.append(']');
        }
      }
      out.append(textKeys ? '}' : ']');
    } else if (value instanceof Collection<?> c) {
      out.append('[');
      boolean first = true;
      for (Object o : c) {
        if (!first) {
          out.append(',');
        }
        first = false;
        appendJson(out, o);
      }
      out.append(']');
    } else if (value instanceof UDTValue u) {
      out.append('{');
      int i = 0;
      for (UserType.Field f : u.getType()) {
        if (i > 0) {
          out.append(',');
        }
        appendJsonString(out, f.getName());
        out.append(':');
        appendJson(out, u.getObject(i++));
      }
      out.append('}');
    } else if (value instanceof TupleValue t) {
      out.append('[');
      for (int i = 0; i < t.getType().getComponentTypes().size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        appendJson(out, t.getObject(i));
      }
      out.append(']');
    } else if (value instanceof LocalDate || value instanceof Duration) {
      appendJsonString(out, value.toString());
    } else {
      appendJsonString(out, scalar(value));
    }
  }

  /** A JSON string: quotes, backslashes and control characters escaped, the rest as it is. */
  static void appendJsonString(StringBuilder out, String s) {
    TypedText.appendJsonString(out, s);
  }
}
