package org.beamarchiver.bench;

import com.datastax.driver.core.TupleValue;
import com.datastax.driver.core.UDTValue;
import com.datastax.driver.core.UserType;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Date;
import java.util.Map;
import org.beamarchiver.io.cassandra.CqlText;

/**
 * The minimal archiver's text of a value, as a plain program writes it: the driver's decoded
 * objects, collections and user types through Jackson's generator. On the assessment table it is
 * the archive's text ({@link CqlText}; the archive's own decoder works from the cell bytes); kept
 * apart so that the peer stays the program the reference figures were measured with.
 */
final class PlainText {
  private static final JsonFactory JSON = new JsonFactory();

  private PlainText() {}

  static String of(Object value) {
    if (value instanceof Collection<?> || value instanceof Map<?, ?> || value instanceof UDTValue
        || value instanceof TupleValue) {
      StringWriter out = new StringWriter();
      try (JsonGenerator g = JSON.createGenerator(out)) {
        write(g, value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toString();
    }
    return CqlText.of(value);
  }

  private static void write(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Date d) {
      g.writeString(CqlText.of(d));
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Double d && !d.isNaN() && !d.isInfinite()) {
      g.writeNumber(d);
    } else if (value instanceof Float f && !f.isNaN() && !f.isInfinite()) {
      g.writeNumber(f);
    } else if (value instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (value instanceof BigInteger i) {
      g.writeNumber(i);
    } else if (value instanceof Integer i) {
      g.writeNumber(i);
    } else if (value instanceof Long l) {
      g.writeNumber(l);
    } else if (value instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof Collection<?> c) {
      g.writeStartArray();
      for (Object o : c) {
        write(g, o);
      }
      g.writeEndArray();
    } else if (value instanceof UDTValue u) {
      g.writeStartObject();
      int i = 0;
      for (UserType.Field f : u.getType()) {
        g.writeFieldName(f.getName());
        write(g, u.getObject(i++));
      }
      g.writeEndObject();
    } else if (value instanceof TupleValue t) {
      g.writeStartArray();
      for (int i = 0; i < t.getType().getComponentTypes().size(); i++) {
        write(g, t.getObject(i));
      }
      g.writeEndArray();
    } else {
      g.writeString(CqlText.of(value));
    }
  }
}
