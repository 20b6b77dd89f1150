package org.beamarchiver.spec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.beamarchiver.spec.TableSpec.Aggregate;
import org.beamarchiver.spec.TableSpec.AggregateOp;
import org.beamarchiver.spec.TableSpec.ChildSpec;
import org.beamarchiver.spec.TableSpec.SummarySpec;

/**
 * Validates a JDBC spec's {@code children} and {@code summary}: names are plain identifiers, each
 * table appears once in the cascade, a child's {@code parentKey} points at its parent's whole
 * primary key, and every summary column names one aggregate over a table of the cascade. No text
 * from the spec reaches SQL except as a quoted identifier or a bound value. Errors name the field
 * path ({@code children[1].children[0].parentKey}).
 */
final class Cascade {
  private Cascade() {}

  /** The children at {@code field}, whose parent's key is {@code parentKey}; {@code names} collects the cascade's tables. */
  static List<ChildSpec> children(
      List<String> errors, String field, List<TableSpecLoader.RawChild> raw, List<String> parentKey, Set<String> names) {
    if (raw == null) {
      return List.of();
    }
    if (raw.isEmpty()) {
      errors.add("field '" + field + "' is empty: leave it out, or list the related tables");
    }
    List<ChildSpec> out = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      String at = field + "[" + i + "]";
      TableSpecLoader.RawChild c = raw.get(i);
      if (c == null) {
        errors.add("field '" + at + "' is empty");
        continue;
      }
      int before = errors.size();
      TableSpecLoader.identifier(errors, at + ".table", c.table);
      if (c.table != null && !names.add(c.table)) {
        errors.add("field '" + at + ".table' names '" + c.table + "' again: each table appears once in a spec");
      }
      if (c.primaryKey == null || c.primaryKey.isEmpty()) {
        errors.add("field '" + at + ".primaryKey' is required: the child table's primary-key columns in key order");
      } else {
        for (int k = 0; k < c.primaryKey.size(); k++) {
          TableSpecLoader.identifier(errors, at + ".primaryKey[" + k + "]", c.primaryKey.get(k));
        }
      }
      List<String> childColumns = new ArrayList<>();
      List<String> parentColumns = new ArrayList<>();
      if (c.parentKey == null || c.parentKey.isEmpty()) {
        errors.add("field '" + at + ".parentKey' is required: the child's columns that hold its parent's primary key"
            + " " + parentKey + ", as {child_column: parent_column}");
      } else {
        for (Map.Entry<String, String> e : c.parentKey.entrySet()) {
          TableSpecLoader.identifier(errors, at + ".parentKey", e.getKey());
          TableSpecLoader.identifier(errors, at + ".parentKey." + e.getKey(), e.getValue());
          childColumns.add(e.getKey());
          parentColumns.add(e.getValue());
        }
        if (!new HashSet<>(parentColumns).equals(new HashSet<>(parentKey)) || parentColumns.size() != parentKey.size()) {
          errors.add("field '" + at + ".parentKey' must map a child column to each column of the parent's primary key "
              + parentKey + " (got " + parentColumns + ")");
        }
      }
      List<ChildSpec> grandChildren =
          c.primaryKey == null || c.primaryKey.isEmpty()
              ? List.of()
              : children(errors, at + ".children", c.children, c.primaryKey, names);
      if (errors.size() == before) {
        out.add(new ChildSpec(c.table, c.primaryKey, childColumns, parentColumns, grandChildren));
      }
    }
    return out;
  }

  /** The summary, checked against the cascade's table names (the root's first). */
  static SummarySpec summary(
      List<String> errors, TableSpecLoader.RawSummary raw, String root, List<String> rootKey, String batchColumn,
      Set<String> names) {
    if (raw == null) {
      return null;
    }
    int before = errors.size();
    TableSpecLoader.identifier(errors, "summary.table", raw.table);
    if (raw.table != null && names.contains(raw.table)) {
      errors.add("field 'summary.table' names '" + raw.table + "', a table of the cascade: the summary goes to a table of its own");
    }
    List<String> copySummary = new ArrayList<>();
    List<String> copyParent = new ArrayList<>();
    if (raw.copy == null || raw.copy.isEmpty()) {
      errors.add("field 'summary.copy' is required: {summary_column: parent_column} for at least the parent's primary key "
          + rootKey + " and batch column '" + batchColumn + "'");
    } else {
      for (Map.Entry<String, String> e : raw.copy.entrySet()) {
        TableSpecLoader.identifier(errors, "summary.copy", e.getKey());
        TableSpecLoader.identifier(errors, "summary.copy." + e.getKey(), e.getValue());
        copySummary.add(e.getKey());
        copyParent.add(e.getValue());
      }
      Set<String> needed = new LinkedHashSet<>(rootKey);
      if (batchColumn != null) {
        needed.add(batchColumn);
      }
      needed.removeAll(copyParent);
      if (!needed.isEmpty()) {
        errors.add("field 'summary.copy' must copy the parent's primary key and batch column; it leaves out " + needed);
      }
    }
    List<Aggregate> aggregates = new ArrayList<>();
    Set<String> columns = new HashSet<>(copySummary);
    if (raw.columns == null || raw.columns.isEmpty()) {
      errors.add("field 'summary.columns' is required: {column: {count|sum|min|max|histogram: table[.column]}}");
    } else {
      for (Map.Entry<String, TableSpecLoader.RawAggregate> e : raw.columns.entrySet()) {
        String at = "summary.columns." + e.getKey();
        TableSpecLoader.identifier(errors, "summary.columns", e.getKey());
        if (!columns.add(e.getKey())) {
          errors.add("field '" + at + "' is also copied: a summary column is either copied or an aggregate");
        }
        Aggregate a = aggregate(errors, at, e.getKey(), e.getValue(), names);
        if (a != null) {
          aggregates.add(a);
        }
      }
    }
    return errors.size() == before ? new SummarySpec(raw.table, copySummary, copyParent, aggregates) : null;
  }

  private static Aggregate aggregate(
      List<String> errors, String at, String name, TableSpecLoader.RawAggregate raw, Set<String> names) {
    String ops = "one of " + java.util.Arrays.toString(AggregateOp.values());
    if (raw == null) {
      errors.add("field '" + at + "' must name " + ops);
      return null;
    }
    AggregateOp op = null;
    String target = null;
    String[][] given = {{"count", raw.count}, {"sum", raw.sum}, {"min", raw.min}, {"max", raw.max}, {"histogram", raw.histogram}};
    for (String[] g : given) {
      if (g[1] != null) {
        if (op != null) {
          errors.add("field '" + at + "' names two aggregates (" + op + " and " + g[0] + "); one per column");
          return null;
        }
        op = AggregateOp.valueOf(g[0]);
        target = g[1];
      }
    }
    if (op == null) {
      errors.add("field '" + at + "' must name " + ops);
      return null;
    }
    int before = errors.size();
    int dot = target.indexOf('.');
    String table = dot < 0 ? target : target.substring(0, dot);
    String column = dot < 0 ? null : target.substring(dot + 1);
    TableSpecLoader.identifier(errors, at + "." + op + " (table)", table);
    if (column != null) {
      TableSpecLoader.identifier(errors, at + "." + op + " (column)", column);
    } else if (op != AggregateOp.count) {
      errors.add("field '" + at + "." + op + "' must name a column, as table.column (got '" + target + "')");
    }
    if (errors.size() == before && !names.contains(table)) {
      errors.add("field '" + at + "." + op + "' names table '" + table + "', which is not in the cascade " + names);
    }
    List<String> whereColumns = new ArrayList<>();
    List<String> whereValues = new ArrayList<>();
    if (raw.where != null) {
      for (Map.Entry<String, Object> w : raw.where.entrySet()) {
        TableSpecLoader.identifier(errors, at + ".where", w.getKey());
        Object v = w.getValue();
        if (v instanceof Map || v instanceof List) {
          errors.add("field '" + at + ".where." + w.getKey() + "' must be one value (a string, number or boolean)");
        }
        whereColumns.add(w.getKey());
        whereValues.add(v == null ? null : v.toString());
      }
    }
    List<BigDecimal> bins = raw.bins == null ? List.of() : raw.bins;
    if (op == AggregateOp.histogram) {
      boolean ascending = bins.size() >= 2;
      for (int i = 1; i < bins.size() && ascending; i++) {
        ascending = bins.get(i - 1) != null && bins.get(i) != null && bins.get(i - 1).compareTo(bins.get(i)) < 0;
      }
      if (!ascending) {
        errors.add("field '" + at + ".bins' must list at least two ascending bounds for the histogram (got " + bins + ")");
      }
    } else if (raw.bins != null) {
      errors.add("field '" + at + ".bins' is for a histogram; " + op + " takes none");
    }
    return errors.size() == before ? new Aggregate(name, op, table, column, whereColumns, whereValues, bins) : null;
  }
}
