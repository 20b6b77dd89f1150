package org.beamarchiver.spec;

import java.io.Serializable;
import java.util.List;
import org.beamarchiver.model.Rollup;
import org.beamarchiver.model.ArchiveFormat;

/**
 * What the pipelines know about one archived table, read from a YAML file in {@code pipelines/}.
 * Nothing about a table is hard-coded in Java: every pipeline works from one of these.
 *
 * @param archiveType the ledger's {@code type} and the folder under {@code archived-batches/}
 * @param sourceKind where rows live ({@code cassandra} or {@code jdbc})
 * @param keyspace Cassandra keyspace, or the JDBC table's schema
 * @param table table name
 * @param primaryKey every primary-key column, partition key first, in key order
 * @param batchColumn the column rows are partitioned by, with the ISO week
 * @param timeColumn the timestamp column that decides a row's ISO week
 * @param collectionColumn recorded in the ledger's {@code collectionid}
 * @param columns the columns archived; empty means every column of the table
 * @param rollup the statistics kept in the ledger for every archived partition
 * @param report what the {@code report} command writes
 * @param format how archive files are written unless {@code --format} says otherwise
 * @param files for {@code sourceKind} files, where the files are and how they are dated; else null
 *     (and for files, the row fields are empty: no key, batch, time or collection column)
 * @param children for {@code sourceKind} jdbc, the tables related to this one that are archived,
 *     deleted and restored with it ({@link ChildSpec}); empty for a table archived alone
 * @param summary for a jdbc table, the row the verified delete leaves behind per parent row; null
 *     for none
 */
public record TableSpec(
    String archiveType,
    SourceKind sourceKind,
    String keyspace,
    String table,
    List<String> primaryKey,
    String batchColumn,
    String timeColumn,
    String collectionColumn,
    List<String> columns,
    RollupSpec rollup,
    ReportSpec report,
    ArchiveFormat format,
    FileSourceSpec files,
    List<ChildSpec> children,
    SummarySpec summary)
    implements Serializable {

  public TableSpec {
    children = children == null ? List.of() : List.copyOf(children);
  }

  /** A spec of a table archived alone (no children, no summary). */
  public TableSpec(
      String archiveType, SourceKind sourceKind, String keyspace, String table, List<String> primaryKey,
      String batchColumn, String timeColumn, String collectionColumn, List<String> columns, RollupSpec rollup,
      ReportSpec report, ArchiveFormat format, FileSourceSpec files) {
    this(archiveType, sourceKind, keyspace, table, primaryKey, batchColumn, timeColumn, collectionColumn, columns,
        rollup, report, format, files, List.of(), null);
  }

  /**
   * A table related to its parent: its own {@code primaryKey}, the columns that point at the
   * parent's primary key ({@code childColumns[i]} holds {@code parentColumns[i]}), and its own
   * children. Every column of a child is archived.
   */
  public record ChildSpec(
      String table, List<String> primaryKey, List<String> childColumns, List<String> parentColumns,
      List<ChildSpec> children) implements Serializable {
    public ChildSpec {
      primaryKey = List.copyOf(primaryKey);
      childColumns = List.copyOf(childColumns);
      parentColumns = List.copyOf(parentColumns);
      children = List.copyOf(children);
    }
  }

  /**
   * The summary row left in {@code table} (in the source's schema) for each deleted parent row:
   * columns copied from the parent row ({@code copySummary[i]} takes {@code copyParent[i]}; they
   * hold its primary key) and aggregates over the parent row and its descendants.
   */
  public record SummarySpec(
      String table, List<String> copySummary, List<String> copyParent, List<Aggregate> aggregates)
      implements Serializable {
    public SummarySpec {
      copySummary = List.copyOf(copySummary);
      copyParent = List.copyOf(copyParent);
      aggregates = List.copyOf(aggregates);
    }
  }

  /** What an aggregate computes. */
  public enum AggregateOp {
    count,
    sum,
    min,
    max,
    histogram
  }

  /**
   * One summary column: {@code op} over the rows of {@code table} in the family (the parent's table
   * or a child's) or over their {@code column} (null for a count of rows), of the rows whose
   * columns equal {@code where}'s values; a histogram counts values in each bin {@code [bins[i],
   * bins[i+1])}, the last bin closed, as a JSON array.
   */
  public record Aggregate(
      String name, AggregateOp op, String table, String column, List<String> whereColumns, List<String> whereValues,
      List<java.math.BigDecimal> bins) implements Serializable {
    public Aggregate {
      whereColumns = List.copyOf(whereColumns);
      whereValues = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(whereValues));
      bins = List.copyOf(bins);
    }
  }

  /**
   * Whether the table is a cascade: archived, deleted and restored with related tables, or leaving
   * a summary row behind.
   */
  public boolean isCascade() {
    return !children.isEmpty() || summary != null;
  }

  /**
   * Roll-up statistics per archived partition, computed while its file is written: distinct
   * values counted exactly for each {@code distinct} column, count/min/max/mean for each {@code
   * numeric} column.
   */
  /** The spec's rollup resolved against the archived columns and their types. */
  public Rollup rollupOf(List<String> columns, List<String> types) {
    return rollup == null ? Rollup.NONE : Rollup.of(rollup.distinct(), rollup.numeric(), columns, types, qualifiedTable());
  }

  public record RollupSpec(List<String> distinct, List<String> numeric) implements Serializable {
    public static final RollupSpec NONE = new RollupSpec(List.of(), List.of());
  }

  /**
   * The batch report's columns (empty: every archived column) and the list column that {@code
   * --perQuestion} expands into one report row per element (null: none).
   */
  public record ReportSpec(List<String> columns, String expand) implements Serializable {
    public static final ReportSpec NONE = new ReportSpec(List.of(), null);
  }

  /** Where a table's rows live: a row store, or files. */
  public enum SourceKind {
    cassandra,
    jdbc,
    files
  }

  /** The table's name in the ledger and in messages: keyspace.table, or a files table's location. */
  public String qualifiedTable() {
    return files != null ? files.location() : keyspace + "." + table;
  }
}
