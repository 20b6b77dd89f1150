package org.beamarchiver.cli;

import java.io.PrintStream;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One CLI command: its name, one-line summary, options interface, and what it does. The product's
 * commands extend it here; a launcher outside the product (the benchmark's) makes its own with
 * {@link #of} and passes them to {@link Main#main(String[], java.util.List)}.
 */
public abstract class Command<T extends PipelineOptions> {
  private final String name;
  private final String summary;
  private final Class<T> optionsClass;

  Command(String name, String summary, Class<T> optionsClass) {
    this.name = name;
    this.summary = summary;
    this.optionsClass = optionsClass;
  }

  /** What a command made by {@link #of} does with its parsed options. */
  @FunctionalInterface
  public interface Action<T extends PipelineOptions> {
    ExitCode run(T options, PrintStream out) throws Exception;
  }

  /** A command defined outside this package, for a launcher that adds commands of its own. */
  public static <T extends PipelineOptions> Command<T> of(
      String name, String summary, Class<T> optionsClass, Action<T> action) {
    return new Command<>(name, summary, optionsClass) {
      @Override
      ExitCode execute(T options, PrintStream out) throws Exception {
        return action.run(options, out);
      }
    };
  }

  final String name() {
    return name;
  }

  final String summary() {
    return summary;
  }

  final Class<T> optionsClass() {
    return optionsClass;
  }

  abstract ExitCode execute(T options, PrintStream out) throws Exception;
}
