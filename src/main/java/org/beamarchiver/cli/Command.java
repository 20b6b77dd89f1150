package org.beamarchiver.cli;

import java.io.PrintStream;
import org.apache.beam.sdk.options.PipelineOptions;

/** One CLI command: its options interface and what it does with them. */
interface Command<T extends PipelineOptions> {
  String name();

  String summary();

  Class<T> optionsClass();

  ExitCode execute(T options, PrintStream out) throws Exception;
}
