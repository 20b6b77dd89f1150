package org.beamarchiver.cli;

import java.io.PrintStream;
import org.beamarchiver.tools.SampleCommand;
import org.beamarchiver.tools.SampleOptions;

/** {@code sample}: creates the sample assessment table and loads generated rows. */
final class SampleDataCommand extends Command<SampleOptions> {
  SampleDataCommand() {
    super(
        "sample",
        "create sunbird_courses.assessment_aggregator (if missing) and load generated rows",
        SampleOptions.class);
  }

  @Override
  ExitCode execute(SampleOptions options, PrintStream out) throws Exception {
    SampleCommand.run(options, out);
    return ExitCode.OK;
  }
}
