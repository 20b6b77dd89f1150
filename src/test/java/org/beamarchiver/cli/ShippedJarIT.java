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

  /**
   * One argument file of a deployment's settings serves every command: options of other commands
   * in the file are left out, and the same option on the command line is refused, by name.
   */
  @Test
  void anArgumentFileServesEveryCommandButTheCommandLineStaysStrict(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path key = dir.resolve("key");
    java.nio.file.Files.writeString(key, "shipped-jar-it signing key, 32 bytes");
    java.nio.file.Path args = dir.resolve("prod.args");
    java.nio.file.Files.writeString(args, String.join("\n", "--tableSpec=" + Paths.get("pipelines/jobs.yaml").toAbsolutePath(),
        "--ledgerUrl=jdbc:h2:mem:shipped", "--signingKeyFile=" + key, "--notifyUrl=http://127.0.0.1:9/hook", ""));
    JarRun shared = jar("status", "@" + args);
    assertEquals(0, shared.exit(), shared.out());
    JarRun strict = jar("status", "@" + args, "--signingKeyFile=" + key);
    assertEquals(2, strict.exit(), strict.out());
    assertTrue(strict.out().contains("missing a property named 'signingKeyFile'"), strict.out());
  }

  record JarRun(int exit, String out) {}

  static JarRun jar(String... args) throws Exception {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    cmd.addAll(java.util.List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    return new JarRun(p.exitValue(), out);
  }
}
