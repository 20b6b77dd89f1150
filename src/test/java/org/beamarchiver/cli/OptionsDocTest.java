package org.beamarchiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** docs/options.md is what OptionsDoc generates from the options interfaces, i.e. what --help says. */
class OptionsDocTest {
  private static final Path DOC = Paths.get("docs/options.md");

  @Test
  void docsOptionsMdIsUpToDate() throws Exception {
    String expected = OptionsDoc.render();
    if (!Files.exists(DOC)) {
      fail(DOC + " is missing; generate it with: " + OptionsDoc.REGENERATE);
    }
    String actual = Files.readString(DOC, StandardCharsets.UTF_8);
    if (!expected.equals(actual)) {
      String[] e = expected.split("\n", -1);
      String[] a = actual.split("\n", -1);
      int i = 0;
      while (i < e.length && i < a.length && e[i].equals(a[i])) {
        i++;
      }
      fail(DOC + " differs from the options interfaces' @Description/@Default (first at line " + (i + 1)
          + ": the code gives\n  " + (i < e.length ? e[i] : "<end of file>") + "\nthe file has\n  "
          + (i < a.length ? a[i] : "<end of file>") + "\n). Regenerate it with:\n  " + OptionsDoc.REGENERATE);
    }
  }

  @Test
  void everyOptionOfEveryCommandIsInItsHelpAndItsSection() {
    String doc = OptionsDoc.render();
    for (Command<?> c : Main.commands()) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      Help.printCommand(new PrintStream(buf, true, StandardCharsets.UTF_8), c);
      String help = buf.toString(StandardCharsets.UTF_8);
      int section = doc.indexOf("\n## " + c.name() + "\n");
      assertTrue(section >= 0, c.name());
      int next = doc.indexOf("\n## ", section + 1);
      String mine = doc.substring(section, next < 0 ? doc.length() : next);
      assertEquals(help.lines().filter(l -> l.startsWith("  --") && !l.equals("  " + Help.BEAM_OPTIONS_2)).count(), Help.options(c).size(), c.name());
      for (Help.Option o : Help.options(c)) {
        assertTrue(help.contains("  --" + o.name() + " "), c.name() + " --help lacks --" + o.name());
        assertTrue(mine.contains("| `--" + o.name() + "` |"), "docs/options.md's " + c.name() + " lacks --" + o.name());
      }
    }
  }

  @Test
  void markdownSyntaxInDescriptionsIsEscaped() {
    assertEquals("a \\| b \\<root\\>/\\_tmp \\*x\\*", OptionsDoc.escape("a | b <root>/_tmp *x*"));
  }
}
