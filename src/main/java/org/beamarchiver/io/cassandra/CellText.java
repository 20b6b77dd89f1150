package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.CodecRegistry;
import com.datastax.driver.core.DataType;
import com.datastax.driver.core.ProtocolVersion;
import com.datastax.driver.core.TupleType;
import com.datastax.driver.core.TypeCodec;
import com.datastax.driver.core.UserType;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * {@link CqlText}'s canonical text of one column, decoded straight from the cell's serialized
 * bytes: collections, tuples and user types are walked in their wire format and written as JSON
 * without building the driver's {@code UDTValue}s (which resolve every field by name, through the
 * identifier-quoting rules, as they decode), and every leaf is decoded by a codec looked up once
 * per column instead of once per cell. It gives exactly the text of {@code
 * CqlText.of(row.getObject(i))}; {@code CellTextIT} holds the two equal on every CQL type. Empty or
 * absent containers take the driver's own path, so its quirks (a null collection inside a user
 * type reads as an empty one) are kept.
 */
public abstract class CellText {
  final TypeCodec<Object> codec;
  final ProtocolVersion protocol;

  private CellText(TypeCodec<Object> codec, ProtocolVersion protocol) {
    this.codec = codec;
    this.protocol = protocol;
  }

  /** The decoder of values of {@code type}. */
  public static CellText of(DataType type, CodecRegistry registry, ProtocolVersion protocol) {
    TypeCodec<Object> codec = registry.codecFor(type);
    if (protocol.compareTo(ProtocolVersion.V3) < 0) {
      return new Leaf(codec, protocol); // sizes of collections were 16-bit before V3
    }
    switch (type.getName()) {
      case LIST:
      case SET:
        return new Sequence(codec, protocol, of(type.getTypeArguments().get(0), registry, protocol));
      case MAP:
        List<DataType> kv = type.getTypeArguments();
        return new MapText(
            codec,
            protocol,
            of(kv.get(0), registry, protocol),
            of(kv.get(1), registry, protocol),
            textual(kv.get(0)));
      case UDT:
        UserType udt = (UserType) type;
        String[] names = new String[udt.size()];
        CellText[] fields = new CellText[udt.size()];
        int i = 0;
        for (UserType.Field f : udt) {
          names[i] = f.getName();
          fields[i++] = of(f.getType(), registry, protocol);
        }
        return new Fields(codec, protocol, names, fields);
      case TUPLE:
        List<DataType> components = ((TupleType) type).getComponentTypes();
        CellText[] parts = new CellText[components.size()];
        for (int k = 0; k < parts.length; k++) {
          parts[k] = of(components.get(k), registry, protocol);
        }
        return new Fields(codec, protocol, null, parts);
      default:
        return new Leaf(codec, protocol);
    }
  }

  private static boolean textual(DataType t) {
    DataType.Name n = t.getName();
    return n == DataType.Name.TEXT || n == DataType.Name.VARCHAR || n == DataType.Name.ASCII;
  }

  /** The column's canonical text, or null for a null cell. */
  public String text(ByteBuffer bytes) {
    if (bytes == null) {
      return null;
    }
    if (this instanceof Leaf) {
      return CqlText.of(codec.deserialize(bytes.duplicate(), protocol));
    }
    StringBuilder out = new StringBuilder(256);
    json(bytes, out);
    return out.toString();
  }

  /** Appends the value's JSON form. */
  final void json(ByteBuffer bytes, StringBuilder out) {
    if (this instanceof Leaf || bytes == null || !bytes.hasRemaining()) {
      CqlText.appendJson(out, codec.deserialize(bytes == null ? null : bytes.duplicate(), protocol));
    } else {
      walk(bytes.duplicate(), out);
    }
  }

  abstract void walk(ByteBuffer in, StringBuilder out);

  /** The next value of a container: its size, then its bytes; null for a negative size. */
  static ByteBuffer next(ByteBuffer in) {
    int n = in.getInt();
    if (n < 0) {
      return null;
    }
    ByteBuffer value = in.slice();
    value.limit(n);
    in.position(in.position() + n);
    return value;
  }

  private static final class Leaf extends CellText {
    Leaf(TypeCodec<Object> codec, ProtocolVersion protocol) {
      super(codec, protocol);
    }

    @Override
    void walk(ByteBuffer in, StringBuilder out) {
      throw new IllegalStateException("a leaf is not walked");
    }
  }

  private static final class Sequence extends CellText {
    private final CellText element;

    Sequence(TypeCodec<Object> codec, ProtocolVersion protocol, CellText element) {
      super(codec, protocol);
      this.element = element;
    }

    @Override
    void walk(ByteBuffer in, StringBuilder out) {
      int n = in.getInt();
      out.append('[');
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          out.append(',');
        }
        element.json(next(in), out);
      }
      out.append(']');
    }
  }

  private static final class MapText extends CellText {
    private final CellText key;
    private final CellText value;
    private final boolean textKeys;

    MapText(TypeCodec<Object> codec, ProtocolVersion protocol, CellText key, CellText value, boolean textKeys) {
      super(codec, protocol);
      this.key = key;
      this.value = value;
      this.textKeys = textKeys;
    }

    @Override
    void walk(ByteBuffer in, StringBuilder out) {
      int n = in.getInt();
      if (n == 0) {
        out.append("{}"); // an empty map has no keys that are not text
        return;
      }
      out.append(textKeys ? '{' : '[');
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          out.append(',');
        }
        if (textKeys) {
          key.json(next(in), out);
          out.append(':');
          value.json(next(in), out);
        } else {
          out.append('[');
          key.json(next(in), out);
          out.append(',');
          value.json(next(in), out);
          out.append(']');
        }
      }
      out.append(textKeys ? '}' : ']');
    }
  }

  /** A user type (with field names) or a tuple (without). */
  private static final class Fields extends CellText {
    private final String[] names;
    private final CellText[] fields;

    Fields(TypeCodec<Object> codec, ProtocolVersion protocol, String[] names, CellText[] fields) {
      super(codec, protocol);
      this.names = names;
      this.fields = fields;
    }

    @Override
    void walk(ByteBuffer in, StringBuilder out) {
      out.append(names == null ? '[' : '{');
      for (int i = 0; i < fields.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        if (names != null) {
          CqlText.appendJsonString(out, names[i]);
          out.append(':');
        }
        // Fields past the serialized ones (a type altered after the value was written) are absent.
        fields[i].json(in.hasRemaining() ? next(in) : null, out);
      }
      out.append(names == null ? ']' : '}');
    }
  }
}
