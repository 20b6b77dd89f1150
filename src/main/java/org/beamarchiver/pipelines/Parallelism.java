package org.beamarchiver.pipelines;

import java.lang.reflect.Method;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How many workers (parallel instances of a step) a run has, so that a throttle given for the whole
 * run can be divided among them: the DirectRunner's target parallelism, Flink's {@code
 * --parallelism}, Dataflow's {@code --maxNumWorkers} times its harness threads. Read by name, so
 * that no runner is a compile-time dependency; a runner whose parallelism is not known (Flink without
 * {@code --parallelism}) makes a throttled run refuse to start rather than overrun the limit.
 */
final class Parallelism {
  private Parallelism() {}

  static int of(PipelineOptions options, String throttleOption) {
    Integer n = known(options);
    if (n == null || n <= 0) {
      throw new IllegalArgumentException(
          throttleOption + " is a limit for the whole run, divided among its workers: give the runner's"
              + " parallelism (--parallelism=N on Flink, --maxNumWorkers on Dataflow)");
    }
    return n;
  }

  /** The run's workers where the runner says, else 1: for sizing work, not for limits. */
  static int orOne(PipelineOptions options) {
    Integer n = known(options);
    return n == null || n <= 0 ? 1 : n;
  }

  private static Integer known(PipelineOptions options) {
    String runner = options.getRunner() == null ? "DirectRunner" : options.getRunner().getSimpleName();
    Integer n;
    if (runner.contains("Flink")) {
      n = option(options, "org.apache.beam.runners.flink.FlinkPipelineOptions", "getParallelism");
    } else if (runner.contains("Dataflow")) {
      Integer workers = option(options, "org.apache.beam.runners.dataflow.options.DataflowPipelineWorkerPoolOptions", "getMaxNumWorkers");
      Integer threads = option(options, "org.apache.beam.runners.dataflow.options.DataflowPipelineDebugOptions", "getNumberOfWorkerHarnessThreads");
      n = workers == null || workers <= 0 ? null : workers * (threads == null || threads <= 0 ? 4 : threads);
    } else {
      n = option(options, "org.apache.beam.runners.direct.DirectOptions", "getTargetParallelism");
    }
    return n;
  }

  @SuppressWarnings("unchecked")
  private static Integer option(PipelineOptions options, String iface, String getter) {
    try {
      Class<? extends PipelineOptions> cls = (Class<? extends PipelineOptions>) Class.forName(iface);
      Object view = options.as(cls);
      Method m = cls.getMethod(getter);
      Object v = m.invoke(view);
      return v instanceof Number x ? x.intValue() : null;
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }
}
