package org.beamarchiver.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain text table for summaries. */
final class Table {
  private final String[] header;
  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    this.header = header;
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
      for (int i = 0; i < r.length; i++) {
        w[i] = Math.max(w[i], r[i] == null ? 1 : r[i].length());
      }
    }
    line(out, header, w);
    String[] sep = new String[header.length];
    for (int i = 0; i < sep.length; i++) {
      sep[i] = "-".repeat(w[i]);
    }
    line(out, sep, w);
    for (String[] r : rows) {
      line(out, r, w);
    }
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
