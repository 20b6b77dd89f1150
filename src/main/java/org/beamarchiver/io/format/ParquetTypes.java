package org.beamarchiver.io.format;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.ValueType;

/**
 * {@link ValueType}s in Parquet: the schema of a column, its values written as record events and
 * read back from converter events. Lists (and sets) use the standard three-level LIST ({@code
 * list} / {@code element}), maps the standard MAP ({@code key_value} / {@code key}, {@code value}),
 * user types a group of their fields, tuples a group of {@code _1}, {@code _2}, ...; elements,
 * values and fields are optional (null stays null), map keys required.
 */
final class ParquetTypes {
  private ParquetTypes() {}

  // ---------------------------------------------------------------- schema

  static Type field(String name, ValueType t, Type.Repetition rep) {
    switch (t.kind()) {
      case TEXT:
      case QUOTED:
      case NUMBER:
        return Types.primitive(PrimitiveTypeName.BINARY, rep).as(LogicalTypeAnnotation.stringType()).named(name);
      case BOOLEAN:
        return Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(name);
      case INT8:
        return Types.primitive(PrimitiveTypeName.INT32, rep).as(LogicalTypeAnnotation.intType(8, true)).named(name);
      case INT16:
        return Types.primitive(PrimitiveTypeName.INT32, rep).as(LogicalTypeAnnotation.intType(16, true)).named(name);
      case INT32:
        return Types.primitive(PrimitiveTypeName.INT32, rep).named(name);
      case INT64:
        return Types.primitive(PrimitiveTypeName.INT64, rep).named(name);
      case TIME_NANOS:
        return Types.primitive(PrimitiveTypeName.INT64, rep)
            .as(LogicalTypeAnnotation.timeType(false, TimeUnit.NANOS))
            .named(name);
      case FLOAT:
        return Types.primitive(PrimitiveTypeName.FLOAT, rep).named(name);
      case DOUBLE:
        return Types.primitive(PrimitiveTypeName.DOUBLE, rep).named(name);
      case DECIMAL:
        {
          LogicalTypeAnnotation d = LogicalTypeAnnotation.decimalType(t.scale(), t.precision());
          if (t.precision() <= 9) {
            return Types.primitive(PrimitiveTypeName.INT32, rep).as(d).named(name);
          }
          if (t.precision() <= 18) {
            return Types.primitive(PrimitiveTypeName.INT64, rep).as(d).named(name);
          }
          return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, rep)
              .length(decimalBytes(t.precision()))
              .as(d)
              .named(name);
        }
      case TIMESTAMP_MILLIS:
        return Types.primitive(PrimitiveTypeName.INT64, rep)
            .as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MILLIS))
            .named(name);
      case TIMESTAMP_MICROS:
        return Types.primitive(PrimitiveTypeName.INT64, rep)
            .as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS))
            .named(name);
      case LOCAL_TIMESTAMP_MICROS:
        return Types.primitive(PrimitiveTypeName.INT64, rep)
            .as(LogicalTypeAnnotation.timestampType(false, TimeUnit.MICROS))
            .named(name);
      case DATE_CQL:
      case DATE_ISO:
        return Types.primitive(PrimitiveTypeName.INT32, rep).as(LogicalTypeAnnotation.dateType()).named(name);
      case UUID:
        return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, rep)
            .length(16)
            .as(LogicalTypeAnnotation.uuidType())
            .named(name);
      case BLOB_0X:
      case BYTES_BACKSLASH_X:
        return Types.primitive(PrimitiveTypeName.BINARY, rep).named(name);
      case LIST:
        return Types.buildGroup(rep)
            .as(LogicalTypeAnnotation.listType())
            .addField(
                Types.repeatedGroup()
                    .addField(field("element", t.parts().get(0), Type.Repetition.OPTIONAL))
                    .named("list"))
            .named(name);
      case MAP:
        return Types.buildGroup(rep)
            .as(LogicalTypeAnnotation.mapType())
            .addField(
                Types.repeatedGroup()
                    .addField(field("key", t.parts().get(0), Type.Repetition.REQUIRED))
                    .addField(field("value", t.parts().get(1), Type.Repetition.OPTIONAL))
                    .named("key_value"))
            .named(name);
      case STRUCT:
      case TUPLE:
        {
          Types.GroupBuilder<GroupType> g = Types.buildGroup(rep);
          for (int i = 0; i < t.parts().size(); i++) {
            g.addField(field(fieldName(t, i), t.parts().get(i), Type.Repetition.OPTIONAL));
          }
          return g.named(name);
        }
      default:
        throw new IllegalArgumentException("no Parquet type for " + t);
    }
  }

  private static String fieldName(ValueType t, int i) {
    return t.kind() == ValueType.Kind.STRUCT ? t.names().get(i) : "_" + (i + 1);
  }

  /** Bytes of a two's-complement unscaled value of {@code precision} digits. */
  static int decimalBytes(int precision) {
    BigInteger max = BigInteger.TEN.pow(precision);
    int n = 1;
    while (BigInteger.ONE.shiftLeft(8 * n - 1).compareTo(max) < 0) {
      n++;
    }
    return n;
  }

  // ---------------------------------------------------------------- writing

  /** Writes a non-null value of {@code t} as the events of the current field. */
  @SuppressWarnings("unchecked")
  static void write(RecordConsumer out, ValueType t, Object v) {
    switch (t.kind()) {
      case TEXT:
      case QUOTED:
      case NUMBER:
        // String.getBytes is the JDK's fast path; Binary.fromString goes through a CharsetEncoder,
        // and a byte-array Binary hashes and compares faster in the dictionary and statistics
        out.addBinary(Binary.fromConstantByteArray(((String) v).getBytes(StandardCharsets.UTF_8)));
        return;
      case BOOLEAN:
        out.addBoolean((Boolean) v);
        return;
      case INT8:
      case INT16:
      case INT32:
      case DATE_CQL:
      case DATE_ISO:
        out.addInteger((Integer) v);
        return;
      case INT64:
      case TIME_NANOS:
      case TIMESTAMP_MILLIS:
      case TIMESTAMP_MICROS:
      case LOCAL_TIMESTAMP_MICROS:
        out.addLong((Long) v);
        return;
      case FLOAT:
        out.addFloat((Float) v);
        return;
      case DOUBLE:
        out.addDouble((Double) v);
        return;
      case DECIMAL:
        {
          BigInteger unscaled = ((BigDecimal) v).unscaledValue();
          if (t.precision() <= 9) {
            out.addInteger(unscaled.intValueExact());
          } else if (t.precision() <= 18) {
            out.addLong(unscaled.longValueExact());
          } else {
            out.addBinary(Binary.fromConstantByteArray(fixed(unscaled, decimalBytes(t.precision()))));
          }
          return;
        }
      case UUID:
        {
          UUID u = (UUID) v;
          ByteBuffer b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
          out.addBinary(Binary.fromConstantByteArray(b.array()));
          return;
        }
      case BLOB_0X:
      case BYTES_BACKSLASH_X:
        out.addBinary(Binary.fromConstantByteArray((byte[]) v));
        return;
      case LIST:
        {
          List<Object> list = (List<Object>) v;
          out.startGroup();
          if (!list.isEmpty()) {
            out.startField("list", 0);
            for (Object e : list) {
              out.startGroup();
              if (e != null) {
                out.startField("element", 0);
                write(out, t.parts().get(0), e);
                out.endField("element", 0);
              }
              out.endGroup();
            }
            out.endField("list", 0);
          }
          out.endGroup();
          return;
        }
      case MAP:
        {
          List<Object[]> entries = (List<Object[]>) v;
          out.startGroup();
          if (!entries.isEmpty()) {
            out.startField("key_value", 0);
            for (Object[] e : entries) {
              out.startGroup();
              out.startField("key", 0);
              write(out, t.parts().get(0), e[0]);
              out.endField("key", 0);
              if (e[1] != null) {
                out.startField("value", 1);
                write(out, t.parts().get(1), e[1]);
                out.endField("value", 1);
              }
              out.endGroup();
            }
            out.endField("key_value", 0);
          }
          out.endGroup();
          return;
        }
      case STRUCT:
      case TUPLE:
        {
          Object[] fields = (Object[]) v;
          out.startGroup();
          for (int i = 0; i < fields.length; i++) {
            if (fields[i] != null) {
              String name = fieldName(t, i);
              out.startField(name, i);
              write(out, t.parts().get(i), fields[i]);
              out.endField(name, i);
            }
          }
          out.endGroup();
          return;
        }
      default:
        throw new IllegalArgumentException("no Parquet type for " + t);
    }
  }

  /** {@code v} as {@code n} big-endian two's-complement bytes. */
  private static byte[] fixed(BigInteger v, int n) {
    byte[] raw = v.toByteArray();
    if (raw.length > n) {
      throw new ArithmeticException(v + " needs more than " + n + " bytes");
    }
    byte[] out = new byte[n];
    byte pad = (byte) (v.signum() < 0 ? 0xFF : 0);
    int lead = n - raw.length;
    for (int i = 0; i < lead; i++) {
      out[i] = pad;
    }
    System.arraycopy(raw, 0, out, lead, raw.length);
    return out;
  }

  // ---------------------------------------------------------------- reading

  /** Where a converter puts the value it assembled. */
  private interface Sink {
    void set(Object value);
  }

  /** A converter of a value of {@code t} that hands what it reads to {@code sink}. */
  private static Converter converter(ValueType t, Sink sink) {
    switch (t.kind()) {
      case LIST:
      case MAP:
        return new RepeatedConverter(t.parts(), sink);
      case STRUCT:
      case TUPLE:
        return new FieldsConverter(t.parts(), sink);
      default:
        return new LeafConverter(t, sink);
    }
  }

  private static final class LeafConverter extends PrimitiveConverter {
    private final ValueType t;
    private final Sink sink;

    LeafConverter(ValueType t, Sink sink) {
      this.t = t;
      this.sink = sink;
    }

    @Override
    public void addBinary(Binary value) {
      switch (t.kind()) {
        case UUID:
          {
            ByteBuffer b = value.toByteBuffer();
            sink.set(new UUID(b.getLong(), b.getLong()));
            return;
          }
        case DECIMAL:
          sink.set(new BigDecimal(new BigInteger(value.getBytes()), t.scale()));
          return;
        case BLOB_0X:
        case BYTES_BACKSLASH_X:
          sink.set(value.getBytes());
          return;
        default:
          sink.set(value.toStringUsingUTF8());
      }
    }

    @Override
    public void addBoolean(boolean value) {
      sink.set(value);
    }

    @Override
    public void addInt(int value) {
      sink.set(t.kind() == ValueType.Kind.DECIMAL ? BigDecimal.valueOf(value, t.scale()) : (Object) value);
    }

    @Override
    public void addLong(long value) {
      sink.set(t.kind() == ValueType.Kind.DECIMAL ? BigDecimal.valueOf(value, t.scale()) : (Object) value);
    }

    @Override
    public void addFloat(float value) {
      sink.set(value);
    }

    @Override
    public void addDouble(double value) {
      sink.set(value);
    }
  }

  /**
   * LIST and MAP: a new list at start; each repeated group ({@code list}, {@code key_value}) adds
   * one entry, which its fields then set: a list's element (null until set), or a map's {key,
   * value} pair.
   */
  private static final class RepeatedConverter extends GroupConverter {
    private final Sink sink;
    private final boolean pairs;
    private final GroupConverter repeated;
    private List<Object> entries;

    /** A LIST's converter when {@code parts} is its element type; a MAP's when its key and value types. */
    RepeatedConverter(List<ValueType> parts, Sink sink) {
      this.sink = sink;
      this.pairs = parts.size() == 2;
      Converter[] fields = new Converter[parts.size()];
      for (int i = 0; i < fields.length; i++) {
        int at = i;
        fields[i] =
            converter(
                parts.get(i),
                pairs
                    ? v -> ((Object[]) entries.get(entries.size() - 1))[at] = v
                    : v -> entries.set(entries.size() - 1, v));
      }
      this.repeated =
          new GroupConverter() {
            @Override
            public Converter getConverter(int fieldIndex) {
              return fields[fieldIndex];
            }

            @Override
            public void start() {
              entries.add(pairs ? new Object[2] : null);
            }

            @Override
            public void end() {}
          };
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return repeated;
    }

    @Override
    public void start() {
      entries = new ArrayList<>();
      sink.set(entries);
    }

    @Override
    public void end() {}
  }

  /** STRUCT and TUPLE: the fields by position, absent ones null. */
  private static final class FieldsConverter extends GroupConverter {
    private final Sink sink;
    private final Converter[] fields;
    private Object[] values;

    FieldsConverter(List<ValueType> types, Sink sink) {
      this.sink = sink;
      this.fields = new Converter[types.size()];
      for (int i = 0; i < fields.length; i++) {
        int at = i;
        fields[i] = converter(types.get(i), v -> values[at] = v);
      }
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return fields[fieldIndex];
    }

    @Override
    public void start() {
      values = new Object[fields.length];
      sink.set(values);
    }

    @Override
    public void end() {}
  }

  /** Rows of either layout: each column's value rendered back into its canonical text (TEXT: as it is). */
  static final class TypedMaterializer extends RecordMaterializer<SourceRow> {
    private final ValueType[] types;
    private final Converter[] converters;
    private final GroupConverter root;
    private Object[] values;
    private long writeTime;

    TypedMaterializer(MessageType schema, List<ValueType> types) {
      this.types = types.toArray(new ValueType[0]);
      int n = this.types.length;
      converters = new Converter[n + 1];
      for (int i = 0; i < n; i++) {
        int at = i;
        converters[i] = converter(this.types[i], v -> values[at] = v);
      }
      converters[n] =
          new PrimitiveConverter() {
            @Override
            public void addLong(long value) {
              writeTime = value;
            }
          };
      root =
          new GroupConverter() {
            @Override
            public Converter getConverter(int fieldIndex) {
              return converters[fieldIndex];
            }

            @Override
            public void start() {
              values = new Object[n];
              writeTime = SourceRow.NO_WRITE_TIME;
            }

            @Override
            public void end() {}
          };
    }

    @Override
    public SourceRow getCurrentRecord() {
      String[] texts = new String[types.length];
      for (int i = 0; i < texts.length; i++) {
        texts[i] = TypedText.render(types[i], values[i]);
      }
      return new SourceRow(texts, SourceRow.NO_TIME, writeTime);
    }

    @Override
    public GroupConverter getRootConverter() {
      return root;
    }
  }
}
