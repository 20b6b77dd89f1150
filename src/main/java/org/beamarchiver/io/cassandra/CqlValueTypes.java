package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.DataType;
import com.datastax.driver.core.TupleType;
import com.datastax.driver.core.UserType;
import java.util.ArrayList;
import java.util.List;
import org.beamarchiver.model.ValueType;
import org.beamarchiver.model.ValueType.Kind;

/**
 * The {@link ValueType} of a CQL column: the typed form of the text {@link CqlText} and {@link
 * CellText} write for it. Decimals and varints have no bound on their digits, so they stay exact
 * text; inets, durations and custom types stay text; user types and tuples, nested to any depth,
 * become structs.
 */
public final class CqlValueTypes {
  private CqlValueTypes() {}

  public static ValueType of(DataType type) {
    switch (type.getName()) {
      case ASCII:
      case TEXT:
      case VARCHAR:
        return ValueType.of(Kind.TEXT);
      case BIGINT:
      case COUNTER:
        return ValueType.of(Kind.INT64);
      case INT:
        return ValueType.of(Kind.INT32);
      case SMALLINT:
        return ValueType.of(Kind.INT16);
      case TINYINT:
        return ValueType.of(Kind.INT8);
      case BOOLEAN:
        return ValueType.of(Kind.BOOLEAN);
      case DOUBLE:
        return ValueType.of(Kind.DOUBLE);
      case FLOAT:
        return ValueType.of(Kind.FLOAT);
      case DECIMAL:
      case VARINT:
        return ValueType.of(Kind.NUMBER);
      case TIMESTAMP:
        return ValueType.of(Kind.TIMESTAMP_MILLIS);
      case DATE:
        return ValueType.of(Kind.DATE_CQL);
      case TIME:
        return ValueType.of(Kind.TIME_NANOS);
      case UUID:
      case TIMEUUID:
        return ValueType.of(Kind.UUID);
      case BLOB:
        return ValueType.of(Kind.BLOB_0X);
      case LIST:
      case SET:
        return ValueType.list(of(type.getTypeArguments().get(0)));
      case MAP:
        return ValueType.map(of(type.getTypeArguments().get(0)), of(type.getTypeArguments().get(1)));
      case UDT:
        {
          List<String> names = new ArrayList<>();
          List<ValueType> fields = new ArrayList<>();
          for (UserType.Field f : (UserType) type) {
            names.add(f.getName());
            fields.add(of(f.getType()));
          }
          return ValueType.struct(names, fields);
        }
      case TUPLE:
        return ValueType.tuple(((TupleType) type).getComponentTypes().stream().map(CqlValueTypes::of).toList());
      default:
        // INET, DURATION, CUSTOM: kept as their text
        return ValueType.of(Kind.QUOTED);
    }
  }
}
