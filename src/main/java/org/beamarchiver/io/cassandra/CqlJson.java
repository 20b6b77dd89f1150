package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.DataType;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.List;

/**
 * An archived row (canonical text per column) as the JSON of Cassandra's {@code INSERT ... JSON}:
 * null cells left out (with {@code DEFAULT UNSET} they are not written), column names quoted so
 * their case is kept, collections, tuples and user types as the JSON text the archive holds.
 */
public final class CqlJson {
  private CqlJson() {}

  public static String row(List<String> columns, DataType[] types, String[] values) {
    StringBuilder sb = new StringBuilder(512).append('{');
    boolean first = true;
    JsonStringEncoder enc = JsonStringEncoder.getInstance();
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        continue;
      }
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append("\"\\\"").append(enc.quoteAsString(columns.get(i))).append("\\\"\":");
      if (CqlValues.jsonString(types[i])) {
        sb.append('"').append(enc.quoteAsString(values[i])).append('"');
      } else {
        sb.append(values[i]);
      }
    }
    return sb.append('}').toString();
  }
}
