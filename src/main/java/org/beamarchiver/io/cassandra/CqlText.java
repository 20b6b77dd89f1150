package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.Duration;
import com.datastax.driver.core.LocalDate;
import com.datastax.driver.core.TupleValue;
import com.datastax.driver.core.UDTValue;
import com.datastax.driver.core.UserType;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Date;
import java.util.Map;

/**
 * Canonical text for Cassandra values, as they appear in archive files: timestamps ISO-8601 UTC
 * with milliseconds, numbers in Java's canonical form, blobs as CQL hex ({@code 0x...}), and
 * collections, tuples and user types as JSON text (user-type fields in declared order), in the
 * form Cassandra's {@code INSERT ... JSON} accepts back. The same value always gives the same text.
 */
public final class CqlText {
  private static final JsonFactory JSON = new JsonFactory();

  /** ISO-8601 UTC with exactly three fraction digits, so text order is time order. */
  public static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

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
      BuilderWriter out = new BuilderWriter();
      try (JsonGenerator g = JSON.createGenerator(out)) {
        writeJson(g, value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.sb.toString();
    }
    return scalar(value);
  }

  /**
   * {@link #TIMESTAMP} of epoch milliseconds, formatted by hand for years 0 to 9999 (every row has
   * timestamps; the formatter builds zone rules on each call).
   */
  static String timestamp(long epochMillis) {
    long seconds = Math.floorDiv(epochMillis, 1000L);
    int millis = (int) Math.floorMod(epochMillis, 1000L);
    java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    int year = t.getYear();
    if (year < 0 || year > 9999) {
      return TIMESTAMP.format(Instant.ofEpochMilli(epochMillis));
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

  /** A Writer over an unsynchronized StringBuilder (StringWriter locks on every write). */
  private static final class BuilderWriter extends java.io.Writer {
    final StringBuilder sb = new StringBuilder(256);

    @Override
    public void write(char[] cbuf, int off, int len) {
      sb.append(cbuf, off, len);
    }

    @Override
    public void write(String str, int off, int len) {
      sb.append(str, off, off + len);
    }

    @Override
    public void write(int c) {
      sb.append((char) c);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
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

  private static void writeJson(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Date d) {
      g.writeString(timestamp(d.getTime()));
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        g.writeString(d.toString());
      } else {
        g.writeNumber(d);
      }
    } else if (value instanceof Float f) {
      if (f.isNaN() || f.isInfinite()) {
        g.writeString(f.toString());
      } else {
        g.writeNumber(f);
      }
    } else if (value instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (value instanceof BigInteger i) {
      g.writeNumber(i);
    } else if (value instanceof Integer i) {
      g.writeNumber(i);
    } else if (value instanceof Long l) {
      g.writeNumber(l);
    } else if (value instanceof Short s) {
      g.writeNumber(s);
    } else if (value instanceof Byte b) {
      g.writeNumber(b);
    } else if (value instanceof Map<?, ?> m) {
      boolean textKeys = m.keySet().stream().allMatch(k -> k instanceof String);
      if (textKeys) {
        g.writeStartObject();
        for (Map.Entry<?, ?> e : m.entrySet()) {
          g.writeFieldName((String) e.getKey());
          writeJson(g, e.getValue());
        }
        g.writeEndObject();
      } else {
        g.writeStartArray();
        for (Map.Entry<?, ?> e : m.entrySet()) {
          g.writeStartArray();
          writeJson(g, e.getKey());
          writeJson(g, e.getValue());
          g.writeEndArray();
        }
        g.writeEndArray();
      }
    } else if (value instanceof Collection<?> c) {
      g.writeStartArray();
      for (Object o : c) {
        writeJson(g, o);
      }
      g.writeEndArray();
    } else if (value instanceof UDTValue u) {
      UserType type = u.getType();
      g.writeStartObject();
      int i = 0;
      for (UserType.Field f : type) {
        g.writeFieldName(f.getName());
        writeJson(g, u.getObject(i++));
      }
      g.writeEndObject();
    } else if (value instanceof TupleValue t) {
      g.writeStartArray();
      for (int i = 0; i < t.getType().getComponentTypes().size(); i++) {
        writeJson(g, t.getObject(i));
      }
      g.writeEndArray();
    } else if (value instanceof LocalDate || value instanceof Duration) {
      g.writeString(value.toString());
    } else {
      g.writeString(scalar(value));
    }
  }
}
