package org.beamarchiver.cli;

import java.io.PrintStream;
import org.apache.beam.sdk.options.PipelineOptions;

/** One CLI command: its name, one-line summary, options interface, and what it does. */
abstract class Command<T extends PipelineOptions> {
  private final String name;
  private final String summary;
  private final Class<T> optionsClass;

  Command(String name, String summary, Class<T> optionsClass) {
    this.name = name;
    this.summary = summary;
    this.optionsClass = optionsClass;
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
