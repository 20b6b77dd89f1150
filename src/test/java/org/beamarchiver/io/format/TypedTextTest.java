package org.beamarchiver.io.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.CodecRegistry;
import com.datastax.driver.core.DataType;
import com.datastax.driver.core.Duration;
import com.datastax.driver.core.ProtocolVersion;
import com.datastax.driver.core.TupleType;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.beamarchiver.io.cassandra.CqlText;
import org.beamarchiver.io.cassandra.CqlValueTypes;
import org.beamarchiver.model.ValueType;
import org.beamarchiver.model.ValueType.Kind;
import org.junit.jupiter.api.Test;

/**
 * The canonical text rebuilt from a typed value is exactly the text it was parsed from, for every
 * CQL and SQL type the sources produce, with the texts made by the sources' own code ({@link
 * CqlText} on the driver's values; the formatters {@code JdbcRowText} uses): nulls, empty strings
 * and collections, nested nulls, NaN and infinities, big and small decimals, the extremes of every
 * integer width, timestamps before 1970 and after 2038, dates at the ends of their ranges.
 */
class TypedTextTest {
  private static final CodecRegistry CODECS = CodecRegistry.DEFAULT_INSTANCE;

  /** render(parse(text)) == text, and the same through a one-column typed Parquet file is checked in ParquetRowsTest. */
  static void roundTrips(ValueType type, String text) {
    Object v = TypedText.parse(type, text);
    assertEquals(text, TypedText.render(type, v), type + " of " + text);
  }

  /** One CQL value: its text as the archive writes it, as a column and inside a list, a set, a map and a tuple. */
  private static void cql(DataType type, Object value) {
    ValueType t = CqlValueTypes.of(type);
    roundTrips(t, CqlText.of(value));
    roundTrips(CqlValueTypes.of(DataType.list(type)), CqlText.of(java.util.Arrays.asList(value, value)));
    roundTrips(CqlValueTypes.of(DataType.map(DataType.text(), type)), CqlText.of(Map.of("k\"", value)));
    if (!(value instanceof Double d && d.isNaN()) && !(value instanceof Float f && f.isNaN())) {
      Map<Object, Object> m = new LinkedHashMap<>();
      m.put(value, List.of());
      roundTrips(
          CqlValueTypes.of(DataType.map(type, DataType.list(DataType.cint()))), CqlText.of(m));
    }
    TupleType tuple = TupleType.of(ProtocolVersion.V4, CODECS, type, DataType.text());
    roundTrips(CqlValueTypes.of(tuple), CqlText.of(tuple.newValue(value, null)));
  }

  @Test
  void everyCqlScalarAtItsEdges() throws Exception {
    for (String s : new String[] {"", " ", "null", "\"", "\\", "q\"\\ \n\t\u0001 é 中 😀", "[1]", "{}"}) {
      cql(DataType.text(), s);
      cql(DataType.ascii(), s.replaceAll("[^ -~]", "?"));
    }
    for (boolean b : new boolean[] {true, false}) {
      cql(DataType.cboolean(), b);
    }
    for (byte v : new byte[] {Byte.MIN_VALUE, -1, 0, Byte.MAX_VALUE}) {
      cql(DataType.tinyint(), v);
    }
    for (short v : new short[] {Short.MIN_VALUE, 0, Short.MAX_VALUE}) {
      cql(DataType.smallint(), v);
    }
    for (int v : new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}) {
      cql(DataType.cint(), v);
    }
    for (long v : new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}) {
      cql(DataType.bigint(), v);
      cql(DataType.counter(), v);
    }
    for (long v : new long[] {0, 1, 86_399_999_999_999L}) {
      cql(DataType.time(), v);
    }
    for (double v : new double[] {0.0, -0.0, 1.0E-7, 1e300, -Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1 + 0.2, 12345.678}) {
      cql(DataType.cdouble(), v);
    }
    for (float v : new float[] {0f, -0f, 3.4028235E38f, Float.MIN_VALUE, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, 1.1f}) {
      cql(DataType.cfloat(), v);
    }
    for (String d : new String[] {"0", "-0.00", "12345.678900", "1E+3", "-1.0E-30",
        "123456789012345678901234567890.123456789012345678901234567890", "1E-2147483647"}) {
      cql(DataType.decimal(), new BigDecimal(d));
    }
    for (String v : new String[] {"0", "-1", "123456789012345678901234567890", "-" + "9".repeat(200)}) {
      cql(DataType.varint(), new BigInteger(v));
    }
    for (String ts : new String[] {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "1900-02-28T12:00:00.001Z",
        "2038-01-19T03:14:08Z", "2262-04-11T23:47:16.854Z", "9999-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z",
        "-0001-06-01T00:00:00Z", "+10000-01-01T00:00:00Z", "+292278994-08-17T07:12:55.807Z",
        "-292275055-05-16T16:47:04.192Z"}) {
      cql(DataType.timestamp(), Date.from(Instant.parse(ts)));
    }
    for (int days : new int[] {0, -1, 1, -719_528 /* year 0 */, -719_529, -800_000, 2_932_896 /* 10000-01-01 */,
        Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      cql(DataType.date(), com.datastax.driver.core.LocalDate.fromDaysSinceEpoch(days));
    }
    for (UUID u : new UUID[] {new UUID(0, 0), new UUID(-1, -1), UUID.fromString("7d2f1c4a-8b4e-4c1a-9d3e-0a1b2c3d4e5f"),
        UUID.fromString("fe2b4360-28c6-11e2-81c1-0800200c9a66")}) {
      cql(DataType.uuid(), u);
    }
    cql(DataType.timeuuid(), UUID.fromString("fe2b4360-28c6-11e2-81c1-0800200c9a66"));
    for (byte[] b : new byte[][] {{}, {0}, {(byte) 0xCA, (byte) 0xFE}, new byte[1000]}) {
      cql(DataType.blob(), ByteBuffer.wrap(b));
    }
    cql(DataType.inet(), InetAddress.getByName("::1"));
    cql(DataType.inet(), InetAddress.getByName("10.0.0.255"));
    cql(DataType.duration(), Duration.from("1h2m3s4ms"));
    cql(DataType.duration(), Duration.from("-P1Y2M3DT4H"));
  }

  @Test
  void cqlCollectionsEmptyNestedAndWithNulls() {
    roundTrips(CqlValueTypes.of(DataType.list(DataType.text())), "[]");
    roundTrips(CqlValueTypes.of(DataType.map(DataType.text(), DataType.cint())), "{}");
    roundTrips(CqlValueTypes.of(DataType.map(DataType.cint(), DataType.text())), "{}");
    roundTrips(CqlValueTypes.of(DataType.map(DataType.cint(), DataType.text())), CqlText.of(Map.of(2, "two")));
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("a", Map.of("b", List.of(List.of(), List.of(1.5, -0.0))));
    roundTrips(
        CqlValueTypes.of(DataType.map(DataType.text(),
            DataType.map(DataType.text(), DataType.list(DataType.list(DataType.cdouble()))))),
        CqlText.of(nested));
    TupleType inner = TupleType.of(ProtocolVersion.V4, CODECS, DataType.cint(), DataType.timestamp());
    TupleType outer = TupleType.of(ProtocolVersion.V4, CODECS, inner, DataType.set(DataType.text()));
    roundTrips(CqlValueTypes.of(outer), CqlText.of(outer.newValue(inner.newValue(null, null), new LinkedHashSet<>())));
    roundTrips(CqlValueTypes.of(outer), CqlText.of(outer.newValue(null, new LinkedHashSet<>(List.of("x", "")))));
    // user types: the text CqlText writes for a UDTValue (fields in declared order, nulls kept)
    ValueType udt = ValueType.struct(List.of("id", "Mixed Case", "at", "tags", "m"), List.of(
        ValueType.of(Kind.TEXT), ValueType.of(Kind.DOUBLE), ValueType.of(Kind.TIMESTAMP_MILLIS),
        ValueType.list(ValueType.of(Kind.TEXT)), ValueType.map(ValueType.of(Kind.INT32), ValueType.of(Kind.TEXT))));
    roundTrips(udt, "{\"id\":null,\"Mixed Case\":null,\"at\":null,\"tags\":[],\"m\":{}}");
    roundTrips(udt, "{\"id\":\"q\\\"1\",\"Mixed Case\":\"NaN\",\"at\":\"1969-12-31T23:59:59.999Z\","
        + "\"tags\":[\"\",\"a\"],\"m\":[[1,\"x\"],[-2,null]]}");
    roundTrips(ValueType.list(udt), "[{\"id\":\"a\",\"Mixed Case\":1.0E-7,\"at\":null,\"tags\":null,\"m\":null},null]");
  }

  @Test
  void sqlValuesInTheFormsJdbcRowTextWrites() {
    DateTimeFormatter iso = DateTimeFormatter.ISO_INSTANT;
    for (String t : new String[] {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999Z", "2038-01-19T03:14:08.5Z",
        "0001-01-01T00:00:00Z", "-4713-11-24T00:00:00Z", "+294247-01-10T04:00:54.775807Z",
        "-290308-12-21T19:59:05.224192Z", "2024-02-29T12:30:00.123Z"}) {
      String text = iso.format(Instant.parse(t));
      roundTrips(ValueType.of(Kind.TIMESTAMP_MICROS), text);
      roundTrips(ValueType.of(Kind.LOCAL_TIMESTAMP_MICROS),
          iso.format(LocalDateTime.ofInstant(Instant.parse(t), ZoneOffset.UTC).toInstant(ZoneOffset.UTC)));
    }
    for (LocalDate d : new LocalDate[] {LocalDate.of(1970, 1, 1), LocalDate.of(1, 1, 1), LocalDate.of(-4712, 1, 1),
        LocalDate.of(5874897, 12, 31), LocalDate.of(2038, 1, 20), LocalDate.of(1969, 12, 31)}) {
      roundTrips(ValueType.of(Kind.DATE_ISO), d.toString());
    }
    for (String real : new String[] {"128.7", "122.100006", "-0.0", "3.4028235E38", "1.4E-45", "NaN", "-Infinity"}) {
      // a real as the database prints it, read with getDouble
      roundTrips(ValueType.of(Kind.DOUBLE), Double.toString(Double.parseDouble(real)));
    }
    for (double d : new double[] {0.1, -Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY}) {
      roundTrips(ValueType.of(Kind.DOUBLE), Double.toString(d));
    }
    for (String d : new String[] {"0.00", "-99999999.99", "99999999.99", "1.50"}) {
      roundTrips(ValueType.decimal(10, 2), new BigDecimal(d).toPlainString());
    }
    roundTrips(ValueType.decimal(38, 0), "9".repeat(38));
    roundTrips(ValueType.decimal(38, 0), "-" + "9".repeat(38));
    roundTrips(ValueType.decimal(38, 38), "0." + "9".repeat(38));
    roundTrips(ValueType.decimal(18, 4), "-92233720368547.7580");
    roundTrips(ValueType.of(Kind.NUMBER), new BigDecimal("1E+40").toPlainString());
    for (long v : new long[] {Long.MIN_VALUE, Long.MAX_VALUE}) {
      roundTrips(ValueType.of(Kind.INT64), Long.toString(v));
    }
    roundTrips(ValueType.of(Kind.INT16), Short.toString(Short.MIN_VALUE));
    roundTrips(ValueType.of(Kind.INT32), Integer.toString(Integer.MIN_VALUE));
    roundTrips(ValueType.of(Kind.BYTES_BACKSLASH_X), "\\x");
    roundTrips(ValueType.of(Kind.BYTES_BACKSLASH_X), "\\x00ff10");
    roundTrips(ValueType.of(Kind.UUID), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    roundTrips(ValueType.of(Kind.BOOLEAN), "false");
    roundTrips(ValueType.of(Kind.TEXT), "{\"json\": [1, 2]}");
  }

  @Test
  void aTextThatIsNotOfItsTypeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> TypedText.parse(ValueType.decimal(10, 2), "1.5"));
    assertThrows(IllegalArgumentException.class, () -> TypedText.parse(ValueType.decimal(3, 0), "1234"));
    assertThrows(IllegalArgumentException.class, () -> TypedText.parse(ValueType.of(Kind.INT8), "128"));
    assertThrows(IllegalArgumentException.class, () -> TypedText.parse(ValueType.of(Kind.BOOLEAN), "TRUE"));
    assertThrows(IllegalArgumentException.class, () -> TypedText.parse(ValueType.of(Kind.BLOB_0X), "cafe"));
    assertThrows(IllegalArgumentException.class,
        () -> TypedText.parse(ValueType.of(Kind.TIMESTAMP_MICROS), "2024-01-01T00:00:00.0000001Z"));
    assertThrows(IllegalArgumentException.class,
        () -> TypedText.parse(ValueType.list(ValueType.of(Kind.INT32)), "[1,\"2\"]"));
    // the hand-written millisecond parser takes only digits where digits belong
    for (String t : new String[] {"2020-01-01T-1:00:00.000Z", "2020-01-01T00:0x:00.000Z", "2020-01-01T00:00:00.-01Z"}) {
      assertThrows(RuntimeException.class, () -> TypedText.parse(ValueType.of(Kind.TIMESTAMP_MILLIS), t), t);
    }
    // PostgreSQL's last years and its infinity do not fit microseconds since 1970 in 64 bits
    assertThrows(RuntimeException.class,
        () -> TypedText.parse(ValueType.of(Kind.TIMESTAMP_MICROS), "+294276-12-31T23:59:59.999999Z"));
    assertThrows(RuntimeException.class,
        () -> TypedText.parse(ValueType.of(Kind.LOCAL_TIMESTAMP_MICROS), "+999999999-12-31T23:59:59.999999999Z"));
    assertThrows(IllegalArgumentException.class,
        () -> TypedText.parse(ValueType.struct(List.of("a", "b"), List.of(ValueType.of(Kind.INT32), ValueType.of(Kind.INT32))),
            "{\"b\":1,\"a\":2}"));
    assertThrows(IllegalArgumentException.class, () -> TypedText.parse(ValueType.list(ValueType.of(Kind.TEXT)), "[] x"));
  }

  @Test
  void randomNestedValuesAgainstAJacksonReference() throws Exception {
    Random random = new Random(11);
    int checked = 0;
    for (int i = 0; i < 3_000; i++) {
      ValueType type = randomType(random, 3);
      Object value = randomValue(random, type, 3);
      if (value == null) {
        continue;
      }
      String text = reference(type, value);
      roundTrips(type, text);
      checked++;
    }
    assertTrue(checked > 2_000, "checked " + checked);
  }

  // ---------------------------------------------------------------- random types and values

  private static final Kind[] LEAVES = {Kind.TEXT, Kind.QUOTED, Kind.NUMBER, Kind.BOOLEAN, Kind.INT8, Kind.INT16,
      Kind.INT32, Kind.INT64, Kind.TIME_NANOS, Kind.FLOAT, Kind.DOUBLE, Kind.TIMESTAMP_MILLIS, Kind.DATE_CQL, Kind.UUID,
      Kind.BLOB_0X};

  static ValueType randomType(Random r, int depth) {
    int pick = depth == 0 ? 0 : r.nextInt(6);
    switch (pick) {
      case 1:
        return ValueType.list(randomType(r, depth - 1));
      case 2:
        return ValueType.map(ValueType.of(r.nextBoolean() ? Kind.TEXT : LEAVES[3 + r.nextInt(5)]), randomType(r, depth - 1));
      case 3:
        {
          int n = 1 + r.nextInt(4);
          List<String> names = new ArrayList<>();
          List<ValueType> fields = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            names.add(i == 0 ? "Mixed \"Name\"" : "f" + i);
            fields.add(randomType(r, depth - 1));
          }
          return ValueType.struct(names, fields);
        }
      case 4:
        return ValueType.tuple(List.of(randomType(r, depth - 1), randomType(r, depth - 1)));
      default:
        return ValueType.of(LEAVES[r.nextInt(LEAVES.length)]);
    }
  }

  static Object randomValue(Random r, ValueType t, int depth) {
    if (r.nextInt(8) == 0) {
      return null;
    }
    switch (t.kind()) {
      case LIST:
        {
          List<Object> l = new ArrayList<>();
          for (int i = r.nextInt(4); i > 0; i--) {
            l.add(randomValue(r, t.parts().get(0), depth - 1));
          }
          return l;
        }
      case MAP:
        {
          List<Object[]> m = new ArrayList<>();
          java.util.Set<String> keys = new java.util.HashSet<>();
          for (int i = r.nextInt(4); i > 0; i--) {
            Object k = randomLeaf(r, t.parts().get(0).kind());
            if (keys.add(TypedText.render(t.parts().get(0), k))) {
              m.add(new Object[] {k, randomValue(r, t.parts().get(1), depth - 1)});
            }
          }
          return m;
        }
      case STRUCT:
      case TUPLE:
        {
          Object[] f = new Object[t.parts().size()];
          for (int i = 0; i < f.length; i++) {
            f[i] = randomValue(r, t.parts().get(i), depth - 1);
          }
          return f;
        }
      default:
        return randomLeaf(r, t.kind());
    }
  }

  private static Object randomLeaf(Random r, Kind k) {
    switch (k) {
      case TEXT:
      case QUOTED:
        return new String[] {"", "a", "\"q\"", "\\", "\n\t\u0002", "é中😀", "null", "1"}[r.nextInt(8)];
      case NUMBER:
        return new String[] {"0", "-1", "1E+3", "12345.678900", "123456789012345678901234567890"}[r.nextInt(5)];
      case BOOLEAN:
        return r.nextBoolean();
      case INT8:
        return (int) (byte) r.nextInt();
      case INT16:
        return (int) (short) r.nextInt();
      case INT32:
        return r.nextInt();
      case INT64:
        return r.nextLong();
      case TIME_NANOS:
        return Math.floorMod(r.nextLong(), 86_400_000_000_000L);
      case FLOAT:
        return new float[] {Float.NaN, Float.POSITIVE_INFINITY, -0f, r.nextFloat() * 1e20f}[r.nextInt(4)];
      case DOUBLE:
        return new double[] {Double.NaN, Double.NEGATIVE_INFINITY, -0.0, r.nextGaussian() * 1e-200, r.nextDouble()}[r.nextInt(5)];
      case TIMESTAMP_MILLIS:
        return r.nextLong() % 400_000_000_000_000L;
      case DATE_CQL:
        return r.nextInt();
      case UUID:
        return new UUID(r.nextLong(), r.nextLong());
      case BLOB_0X:
        {
          byte[] b = new byte[r.nextInt(5)];
          r.nextBytes(b);
          return b;
        }
      default:
        throw new IllegalArgumentException(k.name());
    }
  }

  /** The text CqlText's rules give a typed value, written with Jackson's generator. */
  static String reference(ValueType t, Object v) throws Exception {
    if (!t.nested()) {
      switch (t.kind()) {
        case TIMESTAMP_MILLIS:
          return CqlText.TIMESTAMP.format(Instant.ofEpochMilli((Long) v));
        case DATE_CQL:
          return com.datastax.driver.core.LocalDate.fromDaysSinceEpoch((Integer) v).toString();
        case BLOB_0X:
          return "0x" + HexFormat.of().formatHex((byte[]) v);
        default:
          return v.toString();
      }
    }
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      json(g, t, v);
    }
    return w.toString();
  }

  @SuppressWarnings("unchecked")
  private static void json(JsonGenerator g, ValueType t, Object v) throws Exception {
    if (v == null) {
      g.writeNull();
      return;
    }
    switch (t.kind()) {
      case LIST:
        g.writeStartArray();
        for (Object e : (List<Object>) v) {
          json(g, t.parts().get(0), e);
        }
        g.writeEndArray();
        return;
      case TUPLE:
        g.writeStartArray();
        for (int i = 0; i < t.parts().size(); i++) {
          json(g, t.parts().get(i), ((Object[]) v)[i]);
        }
        g.writeEndArray();
        return;
      case STRUCT:
        g.writeStartObject();
        for (int i = 0; i < t.parts().size(); i++) {
          g.writeFieldName(t.names().get(i));
          json(g, t.parts().get(i), ((Object[]) v)[i]);
        }
        g.writeEndObject();
        return;
      case MAP:
        {
          List<Object[]> m = (List<Object[]>) v;
          boolean text = t.parts().get(0).kind() == Kind.TEXT;
          if (m.isEmpty() || text) {
            g.writeStartObject();
            for (Object[] e : m) {
              g.writeFieldName((String) e[0]);
              json(g, t.parts().get(1), e[1]);
            }
            g.writeEndObject();
          } else {
            g.writeStartArray();
            for (Object[] e : m) {
              g.writeStartArray();
              json(g, t.parts().get(0), e[0]);
              json(g, t.parts().get(1), e[1]);
              g.writeEndArray();
            }
            g.writeEndArray();
          }
          return;
        }
      case NUMBER:
        g.writeNumber((String) v);
        return;
      case BOOLEAN:
        g.writeBoolean((Boolean) v);
        return;
      case INT8:
      case INT16:
      case INT32:
        g.writeNumber((Integer) v);
        return;
      case INT64:
      case TIME_NANOS:
        g.writeNumber((Long) v);
        return;
      case FLOAT:
        if (Float.isFinite((Float) v)) {
          g.writeNumber((Float) v);
        } else {
          g.writeString(v.toString());
        }
        return;
      case DOUBLE:
        if (Double.isFinite((Double) v)) {
          g.writeNumber((Double) v);
        } else {
          g.writeString(v.toString());
        }
        return;
      default:
        g.writeString(reference(t, v));
    }
  }
}
