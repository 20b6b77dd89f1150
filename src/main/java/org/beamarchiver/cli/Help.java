package org.beamarchiver.cli;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * What {@code --help} prints. The option list comes from the options interfaces' {@code
 * @Description} and {@code @Default} through {@link #options}, which {@link OptionsDoc} uses too, so
 * docs/options.md says what {@code <command> --help} says.
 */
final class Help {
  private Help() {}

  /** One option of a command: name, description, default ({@code null}: none), the interface declaring it. */
  record Option(String name, String description, String defaultValue, Class<?> declaredIn) {}

  /** The usage printed without a command (or with {@code --help} alone). */
  static void printUsage(PrintStream out, Collection<Command<?>> commands) {
    out.println("usage: java -jar beam-archiver.jar <command> [--option=value ...] [@options-file ...]");
    out.println();
    out.println("commands:");
    int width = Math.max(10, commands.stream().mapToInt(c -> c.name().length()).max().orElse(0));
    for (Command<?> c : commands) {
      out.printf("  %-" + width + "s %s%n", c.name(), c.summary());
    }
    out.println();
    out.println("'<command> --help' lists a command's options. Exit codes: 0 done, 1 failed,");
    out.println("2 bad usage, 3 completed with some partitions FAILED, 4 busy (another run holds the");
    out.println("table's lease), 5 refused (unsafe in the ledger's state), 6 verify found problems.");
  }

  /** {@code <command> --help}. */
  static void printCommand(PrintStream out, Command<?> command) {
    out.println(usageLine(command));
    out.println("  " + command.summary());
    out.println();
    out.println("options:");
    for (Option o : options(command)) {
      String def = o.defaultValue() == null ? "" : " [default " + o.defaultValue() + "]";
      out.printf("  --%-28s %s%s%n", o.name(), o.description(), def);
    }
    out.println("  " + BEAM_OPTIONS_1);
    out.println("  " + BEAM_OPTIONS_2);
  }

  static final String BEAM_OPTIONS_1 = "plus Beam's runner options, e.g. --runner=DirectRunner|FlinkRunner|DataflowRunner,";
  static final String BEAM_OPTIONS_2 = "--flinkMaster=[local]|host:port, --parallelism=N.";

  static String usageLine(Command<?> command) {
    return "usage: java -jar beam-archiver.jar " + command.name() + " [--option=value ...]";
  }

  /**
   * A command's own options (those declared in org.beamarchiver interfaces with a
   * {@code @Description}), ordered by declaring interface, then name.
   */
  static List<Option> options(Command<?> command) {
    List<Method> getters = new ArrayList<>();
    for (Method m : command.optionsClass().getMethods()) {
      if (m.getName().startsWith("get")
          && m.isAnnotationPresent(Description.class)
          && m.getDeclaringClass().getPackageName().startsWith("org.beamarchiver")) {
        getters.add(m);
      }
    }
    getters.sort(Comparator.comparing((Method m) -> m.getDeclaringClass().getSimpleName()).thenComparing(Method::getName));
    List<Option> options = new ArrayList<>();
    for (Method m : getters) {
      String name = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
      options.add(new Option(name, m.getAnnotation(Description.class).value(), defaultOf(m), m.getDeclaringClass()));
    }
    return options;
  }

  private static String defaultOf(Method m) {
    if (m.isAnnotationPresent(Default.String.class)) {
      return m.getAnnotation(Default.String.class).value();
    }
    if (m.isAnnotationPresent(Default.Integer.class)) {
      return String.valueOf(m.getAnnotation(Default.Integer.class).value());
    }
    if (m.isAnnotationPresent(Default.Boolean.class)) {
      return String.valueOf(m.getAnnotation(Default.Boolean.class).value());
    }
    return null;
  }
}
