package org.beamarchiver.model;

import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * The columns whose statistics are kept for every archived partition (see {@link RollupStats}),
 * with their positions in the {@link RowLayout}. A row's rollup values travel with its archive
 * record to the file writer, so that statistics come from the same pass as the file.
 *
 * @param distinct columns whose distinct values are counted
 * @param distinctAt their positions
 * @param numeric numeric columns summarised by count, min, max and mean
 * @param numericAt their positions
 */
public record Rollup(List<String> distinct, int[] distinctAt, List<String> numeric, int[] numericAt)
    implements Serializable {
  public static final Rollup NONE = new Rollup(List.of(), new int[0], List.of(), new int[0]);

  private static final Set<String> NUMERIC_TYPES =
      Set.of(
          "int", "bigint", "smallint", "tinyint", "varint", "float", "double", "decimal", "counter",
          // the same, as a JDBC (PostgreSQL) source names them
          "int2", "int4", "int8", "float4", "float8", "numeric", "integer", "real", "double precision");

  /**
   * Resolves a spec's rollup (its {@code distinct} and {@code numeric} columns) against the archived
   * columns of {@code table}; errors name the spec field.
   */
  public static Rollup of(
      List<String> distinct, List<String> numeric, List<String> columns, List<String> types, String table) {
    if (distinct.isEmpty() && numeric.isEmpty()) {
      return NONE;
    }
    int[] d = new int[distinct.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = position(columns, distinct.get(i), "rollup.distinct", table);
    }
    int[] n = new int[numeric.size()];
    for (int i = 0; i < n.length; i++) {
      n[i] = position(columns, numeric.get(i), "rollup.numeric", table);
      String type = types.get(n[i]);
      if (!NUMERIC_TYPES.contains(type)) {
        throw new IllegalArgumentException(
            "table spec rollup.numeric column '" + numeric.get(i) + "' is " + type + "; allowed types: "
                + new java.util.TreeSet<>(NUMERIC_TYPES));
      }
    }
    return new Rollup(List.copyOf(distinct), d, List.copyOf(numeric), n);
  }

  private static int position(List<String> columns, String name, String field, String table) {
    int at = columns.indexOf(name);
    if (at < 0) {
      throw new IllegalArgumentException(
          "table spec " + field + " column '" + name + "' is not an archived column of " + table);
    }
    return at;
  }

  public int width() {
    return distinctAt.length + numericAt.length;
  }

  public boolean isEmpty() {
    return width() == 0;
  }

  /** A row's rollup values: the distinct columns, then the numeric ones. */
  public String[] values(String[] row) {
    String[] out = new String[width()];
    for (int i = 0; i < distinctAt.length; i++) {
      out[i] = row[distinctAt[i]];
    }
    for (int i = 0; i < numericAt.length; i++) {
      out[distinctAt.length + i] = row[numericAt[i]];
    }
    return out;
  }
}
