package org.beamarchiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The bundled jar as shipped ({@code target/beam-archiver.jar}, built by {@code package}): it holds
 * no benchmark class and no test library, and its command list, as an operator sees it, has no
 * benchmark peer (the guard-less {@code bench-raw-delete} once stood one line below {@code delete}).
 */
class ShippedJarIT {
  static final Path JAR = Paths.get("target/beam-archiver.jar").toAbsolutePath();

  @Test
  void holdsNoBenchmarkClassNorTestLibrary() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR + " is built by package");
    try (ZipFile zip = new ZipFile(JAR.toFile())) {
      List<String> unwanted =
          zip.stream()
              .map(e -> e.getName())
              .filter(
                  n ->
                      n.startsWith("org/beamarchiver/bench/")
                          || (n.startsWith("org/beamarchiver/") && n.contains("Bench"))
                          || n.startsWith("org/junit/")
                          || n.startsWith("junit/")
                          || n.startsWith("org/opentest4j/"))
              .toList();
      assertEquals(List.of(), unwanted);
      assertTrue(zip.getEntry("org/beamarchiver/cli/Main.class") != null);
    }
  }

  @Test
  void listsNoBenchmarkCommand() throws Exception {
    Process p =
        new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(), "--help")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("commands:") && out.contains("  delete "), out);
    assertTrue(!out.contains("bench"), out);
  }
}
