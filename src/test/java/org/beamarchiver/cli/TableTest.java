package org.beamarchiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Summary tables keep a readable width: a long reason goes on its own line, not into every line's padding. */
class TableTest {
  @Test
  void aLongReasonGoesOnItsOwnLineAndShortOnesStayInTheGrid() {
    String reason = "archive failed verification, nothing deleted: checksum mismatch: " + "0123456789abcdef".repeat(10);
    Table t = new Table("batch", "week", "archive", "deleted").longOnOwnLine("archive");
    t.add("b1", "2026-W44", "verified", "120");
    t.add("b2", "2026-W44", reason, "0");
    t.add("b3", "2026-W45", "verified", "7");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    t.print(new PrintStream(buf, true, StandardCharsets.UTF_8));
    List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(6, lines.size(), String.join("\n", lines));
    assertEquals("  b2     2026-W44  (below)   0", lines.get(3));
    assertEquals("      archive: " + reason, lines.get(4), "the reason whole, on its own line under its row");
    int grid = lines.get(0).length();
    for (int i : new int[] {1, 2, 3, 5}) {
      assertTrue(lines.get(i).length() <= grid + 8, "no line padded to the reason's width: " + lines.get(i));
    }
    assertTrue(grid < 40, lines.get(0));
  }

  @Test
  void unmarkedColumnsAndShortValuesAreAsBefore() {
    Table t = new Table("a", "b");
    t.add("x".repeat(80), "y");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    t.print(new PrintStream(buf, true, StandardCharsets.UTF_8));
    List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(3, lines.size());
    assertEquals("  " + "x".repeat(80) + "  y", lines.get(2));
  }
}
