package org.beamarchiver.cli;

import java.io.PrintStream;
import org.beamarchiver.tools.SampleCommand;
import org.beamarchiver.tools.SampleOptions;

/** {@code sample}: creates the sample assessment table and loads generated rows. */
final class SampleDataCommand implements Command<SampleOptions> {
  @Override
  public String name() {
    return "sample";
  }

  @Override
  public String summary() {
    return "create sunbird_courses.assessment_aggregator (if missing) and load generated rows";
  }

  @Override
  public Class<SampleOptions> optionsClass() {
    return SampleOptions.class;
  }

  @Override
  public ExitCode execute(SampleOptions options, PrintStream out) throws Exception {
    SampleCommand.run(options, out);
    return ExitCode.OK;
  }
}
