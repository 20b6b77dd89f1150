package org.beamarchiver.model;

import java.io.Serializable;
import java.util.List;

/**
 * The archived columns of a table, in file order, with the positions of the columns the pipelines
 * need. Built once at launch from the table spec and the live table's schema.
 *
 * @param columns archived column names, in file order
 * @param types each column's source type, as the source names it (e.g. {@code timestamp},
 *     {@code list<frozen<question>>})
 * @param primaryKey positions of the primary-key columns, in key order
 * @param batch position of the batch column
 * @param time position of the time column
 * @param collection position of the collection column
 * @param rollup the columns whose statistics are kept per partition, with their positions
 * @param valueTypes each column's typed form, in file order (what typed Parquet stores)
 */
public record RowLayout(
    List<String> columns,
    List<String> types,
    int[] primaryKey,
    int batch,
    int time,
    int collection,
    Rollup rollup,
    List<ValueType> valueTypes)
    implements Serializable {

  public RowLayout {
    if (valueTypes == null) {
      valueTypes = ValueType.allText(columns.size());
    } else if (valueTypes.size() != columns.size()) {
      throw new IllegalArgumentException(valueTypes.size() + " value types for " + columns.size() + " columns");
    }
  }

  public RowLayout(
      List<String> columns, List<String> types, int[] primaryKey, int batch, int time, int collection, Rollup rollup) {
    this(columns, types, primaryKey, batch, time, collection, rollup, null);
  }

  public RowLayout(List<String> columns, List<String> types, int[] primaryKey, int batch, int time, int collection) {
    this(columns, types, primaryKey, batch, time, collection, Rollup.NONE);
  }

  /** The extra last column of every archive file: the row's newest cell write time (micros). */
  public static final String WRITE_TIME_COLUMN = "_writetime_micros";

  public int size() {
    return columns.size();
  }

  /** The header of an archive file: the columns, then {@link #WRITE_TIME_COLUMN}. */
  public String[] fileHeader() {
    String[] header = columns.toArray(new String[columns.size() + 1]);
    header[columns.size()] = WRITE_TIME_COLUMN;
    return header;
  }

  public String batchColumn() {
    return columns.get(batch);
  }

  public String timeColumn() {
    return columns.get(time);
  }
}
