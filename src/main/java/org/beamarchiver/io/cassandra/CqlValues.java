package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.DataType;
import com.datastax.driver.core.LocalDate;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.UUID;

/** Canonical text (as in archive files) back to the driver's Java value, for scalar types. */
public final class CqlValues {
  private CqlValues() {}

  public static Object parse(DataType type, String text) {
    if (text == null) {
      return null;
    }
    switch (type.getName()) {
      case TEXT:
      case VARCHAR:
      case ASCII:
        return text;
      case INT:
        return Integer.parseInt(text);
      case BIGINT:
      case COUNTER:
      case TIME:
        return Long.parseLong(text);
      case SMALLINT:
        return Short.parseShort(text);
      case TINYINT:
        return Byte.parseByte(text);
      case BOOLEAN:
        return Boolean.parseBoolean(text);
      case DOUBLE:
        return Double.parseDouble(text);
      case FLOAT:
        return Float.parseFloat(text);
      case DECIMAL:
        return new BigDecimal(text);
      case VARINT:
        return new BigInteger(text);
      case UUID:
      case TIMEUUID:
        return UUID.fromString(text);
      case TIMESTAMP:
        return Date.from(Instant.parse(text));
      case DATE:
        java.time.LocalDate d = java.time.LocalDate.parse(text);
        return LocalDate.fromYearMonthDay(d.getYear(), d.getMonthValue(), d.getDayOfMonth());
      case BLOB:
        return ByteBuffer.wrap(HexFormat.of().parseHex(text.startsWith("0x") ? text.substring(2) : text));
      case INET:
        try {
          return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("not an address: " + text);
        }
      default:
        throw new IllegalArgumentException(
            "cannot bind a " + type + " value from its archived text (only scalar key columns are supported)");
    }
  }

  /** True when the type is written as a JSON string in {@code INSERT ... JSON}. */
  static boolean jsonString(DataType type) {
    switch (type.getName()) {
      case TEXT:
      case VARCHAR:
      case ASCII:
      case TIMESTAMP:
      case DATE:
      case TIME:
      case UUID:
      case TIMEUUID:
      case INET:
      case BLOB:
      case DURATION:
        return true;
      default:
        return false;
    }
  }
}
