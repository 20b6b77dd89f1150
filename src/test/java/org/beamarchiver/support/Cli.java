package org.beamarchiver.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.beamarchiver.cli.Main;

/**
 * The CLI run in the test's JVM, as a user would type it: the exit code and everything it printed
 * (standard output and error together).
 */
public record Cli(int code, String out) {
  /** Runs {@code args} (the command first). */
  public static Cli run(List<String> args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
    int code = Main.run(args.toArray(new String[0]), ps, ps);
    return new Cli(code, buf.toString(StandardCharsets.UTF_8));
  }

  /** Runs {@code command} with {@code args} then {@code extra}, asserts the exit code, returns the output. */
  public static String expect(int code, String command, List<String> args, String... extra) {
    List<String> a = new ArrayList<>();
    a.add(command);
    a.addAll(args);
    a.addAll(List.of(extra));
    Cli r = run(a);
    assertEquals(code, r.code(), command + ": " + r.out());
    return r.out();
  }
}
