package org.beamarchiver.io.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CqlTextTest {
  @Test
  void handFormattedTimestampsEqualTheFormatter() {
    long[] edges = {
      0L, -1L, 1L, 999L, -999L, -1000L, 951_782_400_000L /* 2000-02-29 */,
      Instant.parse("0000-01-01T00:00:00Z").toEpochMilli(),
      Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli(),
      Instant.parse("-0001-12-31T23:59:59.999Z").toEpochMilli(),
      Instant.parse("+10000-01-01T00:00:00Z").toEpochMilli(),
      Instant.parse("2020-12-31T23:59:59.999Z").toEpochMilli()
    };
    for (long ms : edges) {
      assertEquals(CqlText.TIMESTAMP.format(Instant.ofEpochMilli(ms)), CqlText.timestamp(ms), "ms " + ms);
    }
    Random random = new Random(1);
    for (int i = 0; i < 100_000; i++) {
      long ms = random.nextLong() % 400_000_000_000_000L;
      assertEquals(CqlText.TIMESTAMP.format(Instant.ofEpochMilli(ms)), CqlText.timestamp(ms), "ms " + ms);
    }
  }

  @Test
  void collectionsAreJsonAndDatesCanonical() {
    Date d = Date.from(Instant.parse("2021-01-04T10:15:30.250Z"));
    assertEquals("2021-01-04T10:15:30.250Z", CqlText.of(d));
    assertEquals("[\"a\\\"b\",\"2021-01-04T10:15:30.250Z\"]", CqlText.of(List.of("a\"b", d)));
    assertEquals("{\"k\":1.5}", CqlText.of(Map.of("k", 1.5)));
    assertEquals("[[1,\"x\"]]", CqlText.of(Map.of(1, "x")));
  }

  @Test
  void handWrittenJsonEqualsJacksonOnRandomValues() throws Exception {
    Random random = new Random(3);
    for (int i = 0; i < 20_000; i++) {
      Object value = randomValue(random, 3);
      StringBuilder out = new StringBuilder();
      CqlText.appendJson(out, value);
      assertEquals(jackson(value), out.toString(), "value " + value);
    }
  }

  /** The generator the archive format was first written with, as the reference. */
  private static String jackson(Object value) throws Exception {
    java.io.StringWriter w = new java.io.StringWriter();
    try (com.fasterxml.jackson.core.JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(w)) {
      write(g, value);
    }
    return w.toString();
  }

  private static void write(com.fasterxml.jackson.core.JsonGenerator g, Object v) throws Exception {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Date d) {
      g.writeString(CqlText.timestamp(d.getTime()));
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        g.writeString(d.toString());
      } else {
        g.writeNumber(d);
      }
    } else if (v instanceof Float f) {
      if (f.isNaN() || f.isInfinite()) {
        g.writeString(f.toString());
      } else {
        g.writeNumber(f);
      }
    } else if (v instanceof java.math.BigDecimal d) {
      g.writeNumber(d);
    } else if (v instanceof java.math.BigInteger b) {
      g.writeNumber(b);
    } else if (v instanceof Integer n) {
      g.writeNumber(n);
    } else if (v instanceof Long n) {
      g.writeNumber(n);
    } else if (v instanceof Short n) {
      g.writeNumber(n);
    } else if (v instanceof Byte n) {
      g.writeNumber(n);
    } else if (v instanceof Map<?, ?> m) {
      if (m.keySet().stream().allMatch(k -> k instanceof String)) {
        g.writeStartObject();
        for (Map.Entry<?, ?> e : m.entrySet()) {
          g.writeFieldName((String) e.getKey());
          write(g, e.getValue());
        }
        g.writeEndObject();
      } else {
        g.writeStartArray();
        for (Map.Entry<?, ?> e : m.entrySet()) {
          g.writeStartArray();
          write(g, e.getKey());
          write(g, e.getValue());
          g.writeEndArray();
        }
        g.writeEndArray();
      }
    } else if (v instanceof java.util.Collection<?> c) {
      g.writeStartArray();
      for (Object o : c) {
        write(g, o);
      }
      g.writeEndArray();
    } else {
      g.writeString(v.toString());
    }
  }

  private static Object randomValue(Random r, int depth) {
    int kind = r.nextInt(depth > 0 ? 14 : 11);
    switch (kind) {
      case 0: return null;
      case 1: return randomString(r);
      case 2: return new Date(r.nextLong() % 300_000_000_000_000L);
      case 3: return r.nextBoolean();
      case 4: return r.nextInt(20) == 0 ? Double.NaN : r.nextInt(10) == 0 ? Double.NEGATIVE_INFINITY : r.nextDouble() * Math.pow(10, r.nextInt(40) - 20);
      case 5: return r.nextInt(20) == 0 ? Float.POSITIVE_INFINITY : (float) (r.nextGaussian() * 1e6);
      case 6: return new java.math.BigDecimal(new java.math.BigInteger(80, r), r.nextInt(30) - 10);
      case 7: return new java.math.BigInteger(100, r).negate();
      case 8: return r.nextInt();
      case 9: return r.nextLong();
      case 10: return r.nextBoolean() ? (Object) (short) r.nextInt() : (Object) (byte) r.nextInt();
      case 11: {
        List<Object> l = new java.util.ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          l.add(randomValue(r, depth - 1));
        }
        return l;
      }
      case 12: {
        Map<Object, Object> m = new java.util.LinkedHashMap<>();
        boolean text = r.nextBoolean();
        for (int i = r.nextInt(4); i > 0; i--) {
          m.put(text ? randomString(r) : (Object) r.nextInt(100), randomValue(r, depth - 1));
        }
        return m;
      }
      default: return new java.util.LinkedHashSet<>(List.of(randomString(r), randomString(r) + "x"));
    }
  }

  private static String randomString(Random r) {
    StringBuilder s = new StringBuilder();
    for (int i = r.nextInt(12); i > 0; i--) {
      int pick = r.nextInt(6);
      s.append(
          switch (pick) {
            case 0 -> (char) r.nextInt(0x20);
            case 1 -> "\"\\/\u007f".charAt(r.nextInt(4));
            case 2 -> (char) (0x80 + r.nextInt(0x3000));
            case 3 -> "\u2028\ud83d\ude00".charAt(r.nextInt(3));
            default -> (char) (0x20 + r.nextInt(0x5f));
          });
    }
    return s.toString();
  }
}
