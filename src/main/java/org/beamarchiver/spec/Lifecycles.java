package org.beamarchiver.spec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The lifecycles of a table spec ({@code lifecycles:}): each a name, an order and the storages that
 * held its data over time, each storage a source (files, or rows with their row fields) with its
 * {@code from}/{@code until} dates. Validated as a whole: names, orders, dates that do not overlap
 * within a lifecycle, and no two lifecycles pointing at the same place.
 */
final class Lifecycles {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,23}");

  private Lifecycles() {}

  static List<SpecUnit> units(String file, TableSpecLoader.RawSpec raw) {
    List<String> errors = new ArrayList<>();
    Object[][] tableFields = {
      {"source", raw.source}, {"primaryKey", raw.primaryKey}, {"batchColumn", raw.batchColumn},
      {"timeColumn", raw.timeColumn}, {"collectionColumn", raw.collectionColumn}, {"columns", raw.columns},
      {"rollup", raw.rollup}, {"report", raw.report}, {"format", raw.format},
    };
    for (Object[] f : tableFields) {
      if (f[1] != null) {
        errors.add("field '" + f[0] + "' belongs to each storage of a spec with lifecycles (lifecycles[].storages[])");
      }
    }
    if (raw.archiveType == null || !TableSpecLoader.ARCHIVE_TYPE.matcher(raw.archiveType).matches()) {
      errors.add("field 'archiveType' must be lower-case letters, digits, '-' or '_' (got "
          + (raw.archiveType == null ? "nothing" : "'" + raw.archiveType + "'") + ")");
    }
    if (raw.lifecycles.isEmpty()) {
      errors.add("field 'lifecycles' lists no lifecycle");
    }
    if (!errors.isEmpty()) {
      throw new TableSpecException(file + ": " + String.join("; ", errors));
    }
    List<SpecUnit> units = new ArrayList<>();
    Set<String> lifecycleNames = new HashSet<>();
    List<String[]> places = new ArrayList<>(); // lifecycle, storage, where
    for (int i = 0; i < raw.lifecycles.size(); i++) {
      TableSpecLoader.RawLifecycle l = raw.lifecycles.get(i);
      String at = "lifecycles[" + i + "]";
      if (l == null) {
        throw new TableSpecException(file + ": field '" + at + "' is empty");
      }
      name(errors, at + ".name", l.name);
      if (l.name != null && !lifecycleNames.add(l.name)) {
        errors.add("field '" + at + ".name': lifecycle '" + l.name + "' is declared twice");
      }
      if (l.order == null || l.order < 0) {
        errors.add("field '" + at + ".order' is required: a whole number >= 0 (lower orders are archived first)");
      }
      if (l.storages == null || l.storages.isEmpty()) {
        errors.add("field '" + at + ".storages' is required: the storages that held the lifecycle's data");
        continue;
      }
      Set<String> storageNames = new HashSet<>();
      List<TableSpecLoader.RawStorage> dated = new ArrayList<>();
      for (int j = 0; j < l.storages.size(); j++) {
        TableSpecLoader.RawStorage s = l.storages.get(j);
        String sat = at + ".storages[" + j + "]";
        if (s == null) {
          errors.add("field '" + sat + "' is empty");
          continue;
        }
        name(errors, sat + ".name", s.name);
        if (s.name != null && !storageNames.add(s.name)) {
          errors.add("field '" + sat + ".name': storage '" + s.name + "' is declared twice in lifecycle '" + l.name + "'");
        }
        if (s.from != null && s.until != null && !s.from.isBefore(s.until)) {
          errors.add("field '" + sat + "': 'from' " + s.from + " must be before 'until' " + s.until);
        }
        dated.add(s);
        if (!errors.isEmpty() || l.order == null) {
          continue;
        }
        String type = raw.archiveType + "-" + l.name + "-" + s.name;
        if (type.length() > 48) {
          errors.add("field '" + sat + "': the storage's archive type '" + type + "' (archiveType-lifecycle-storage) is longer than 48");
          continue;
        }
        TableSpec spec = TableSpecLoader.validate(file + " " + sat, type, s);
        units.add(new SpecUnit(file, raw.archiveType, l.name, l.order, s.name, s.from, s.until, spec));
        places.add(new String[] {l.name, s.name, where(spec)});
      }
      overlaps(errors, at, dated);
    }
    for (int a = 0; a < places.size(); a++) {
      for (int b = a + 1; b < places.size(); b++) {
        String[] x = places.get(a);
        String[] y = places.get(b);
        if (!x[0].equals(y[0]) && samePlace(x[2], y[2])) {
          errors.add(
              "lifecycles '" + x[0] + "' (storage " + x[1] + ") and '" + y[0] + "' (storage " + y[1]
                  + ") point at the same place " + x[2] + (x[2].equals(y[2]) ? "" : " / " + y[2])
                  + "; each lifecycle's data must live apart");
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new TableSpecException(file + ": " + String.join("; ", errors));
    }
    units.sort(Comparator.comparingInt(SpecUnit::order));
    return List.copyOf(units);
  }

  /** Where a storage's data is: a files location (no trailing '/'), or kind:keyspace.table. */
  private static String where(TableSpec spec) {
    if (spec.files() != null) {
      String l = spec.files().location();
      while (l.endsWith("/") && l.length() > 1) {
        l = l.substring(0, l.length() - 1);
      }
      return l;
    }
    return spec.sourceKind() + ":" + spec.keyspace() + "." + spec.table();
  }

  private static boolean samePlace(String a, String b) {
    return a.equals(b) || a.startsWith(b + "/") || b.startsWith(a + "/");
  }

  /** Two storages of one lifecycle may not both hold a day. */
  private static void overlaps(List<String> errors, String at, List<TableSpecLoader.RawStorage> storages) {
    for (int a = 0; a < storages.size(); a++) {
      for (int b = a + 1; b < storages.size(); b++) {
        TableSpecLoader.RawStorage x = storages.get(a);
        TableSpecLoader.RawStorage y = storages.get(b);
        boolean xBeforeY = x.until != null && y.from != null && !y.from.isBefore(x.until);
        boolean yBeforeX = y.until != null && x.from != null && !x.from.isBefore(y.until);
        if (!xBeforeY && !yBeforeX) {
          errors.add(
              "field '" + at + ".storages': storages '" + x.name + "' (" + range(x) + ") and '" + y.name + "' (" + range(y)
                  + ") both hold some days; give them from/until dates that do not overlap");
        }
      }
    }
  }

  private static String range(TableSpecLoader.RawStorage s) {
    return (s.from == null ? "always" : "from " + s.from) + " " + (s.until == null ? "onwards" : "until " + s.until);
  }

  private static void name(List<String> errors, String field, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      errors.add(
          "field '" + field + "' must be lower-case letters, digits or '_', starting with a letter, at most 24 (got "
              + (value == null ? "nothing" : "'" + value + "'") + ")");
    }
  }
}
