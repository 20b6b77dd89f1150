package org.beamarchiver.support;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A runner that runs nothing: handed a pipeline, it stops the launch by throwing {@link
 * GraphBuilt}, which carries the pipeline exactly as the command built it (after Beam's own
 * validation of the graph in {@code Pipeline.run}). Like Beam's {@code CrashingRunner}, it lets a
 * test see the graph of a command whose pipeline is built inside its run method (plan, restore)
 * without executing a step.
 */
public final class GraphOnlyRunner extends PipelineRunner<PipelineResult> {

  /** Thrown instead of running; holds the built pipeline. */
  public static final class GraphBuilt extends RuntimeException {
    private final transient Pipeline pipeline;

    GraphBuilt(Pipeline pipeline) {
      super("GraphOnlyRunner: the pipeline was built and not run");
      this.pipeline = pipeline;
    }

    public Pipeline pipeline() {
      return pipeline;
    }
  }

  public static GraphOnlyRunner fromOptions(PipelineOptions options) {
    return new GraphOnlyRunner();
  }

  @Override
  public PipelineResult run(Pipeline pipeline) {
    throw new GraphBuilt(pipeline);
  }

  /** The pipeline a launch built, from the error it ended with; fails when it ended otherwise. */
  public static Pipeline built(Throwable launchError) {
    for (Throwable t = launchError; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof GraphBuilt g) {
        return g.pipeline();
      }
    }
    throw new AssertionError("the launch did not reach its pipeline's run: " + launchError, launchError);
  }
}
