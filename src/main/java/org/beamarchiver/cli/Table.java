package org.beamarchiver.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A plain text table for summaries. Columns marked {@link #longOnOwnLine} (reasons, notes) keep a
 * readable width: a value longer than {@link #MAX_CELL} shows as {@code (below)} in the grid and
 * in full on its own line under its row, so that one long reason does not pad every line.
 */
final class Table {
  /** The widest value a marked column shows in the grid. */
  static final int MAX_CELL = 64;

  private final String[] header;
  private final List<String[]> rows = new ArrayList<>();
  private final Set<Integer> wrapped = new HashSet<>();

  Table(String... header) {
    this.header = header;
  }

  /** Marks columns whose long values go on their own line. */
  Table longOnOwnLine(String... columns) {
    for (String c : columns) {
      for (int i = 0; i < header.length; i++) {
        if (header[i].equals(c)) {
          wrapped.add(i);
        }
      }
    }
    return this;
  }

  void add(String... row) {
    rows.add(row);
  }

  void print(PrintStream out) {
    int[] w = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      w[i] = header[i].length();
    }
    for (String[] r : rows) {
      String[] shown = shown(r);
      for (int i = 0; i < shown.length; i++) {
        w[i] = Math.max(w[i], shown[i] == null ? 1 : shown[i].length());
      }
    }
    line(out, header, w);
    String[] sep = new String[header.length];
    for (int i = 0; i < sep.length; i++) {
      sep[i] = "-".repeat(w[i]);
    }
    line(out, sep, w);
    for (String[] r : rows) {
      line(out, shown(r), w);
      for (int i = 0; i < r.length; i++) {
        if (isLong(i, r[i])) {
          out.println("      " + header[i] + ": " + r[i]);
        }
      }
    }
  }

  private boolean isLong(int column, String value) {
    return wrapped.contains(column) && value != null && value.length() > MAX_CELL;
  }

  private String[] shown(String[] r) {
    String[] s = r.clone();
    for (int i = 0; i < s.length; i++) {
      if (isLong(i, s[i])) {
        s[i] = "(below)";
      }
    }
    return s;
  }

  private static void line(PrintStream out, String[] cells, int[] w) {
    StringBuilder sb = new StringBuilder("  ");
    for (int i = 0; i < cells.length; i++) {
      String c = cells[i] == null ? "-" : cells[i];
      sb.append(c);
      if (i < cells.length - 1) {
        sb.append(" ".repeat(w[i] - c.length() + 2));
      }
    }
    out.println(sb);
  }
}
