package org.beamarchiver.pipelines;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Runs a pipeline to completion, printing Beam counters every few seconds while it runs. */
public final class Execution {
  private static final long PROGRESS_SECONDS = 5;

  private Execution() {}

  /**
   * Runs and waits. Live progress needs a runner whose {@code run()} returns before the job ends
   * (the CLI launches the DirectRunner that way); other runners report when they finish.
   *
   * @return every counter of the job, summed over steps, at the end (the named ones first)
   * @throws PipelineFailedException when the job does not end DONE
   */
  public static Map<String, Long> runWithProgress(
      Pipeline pipeline, List<String> counterNames, Progress progress) {
    long start = System.nanoTime();
    AtomicReference<PipelineResult> running = new AtomicReference<>();
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "progress");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleAtFixedRate(
        () -> {
          PipelineResult r = running.get();
          Map<String, Long> now = r == null ? Map.of() : safeCounters(r, counterNames);
          progress.progress(now, Duration.ofNanos(System.nanoTime() - start), false);
        },
        PROGRESS_SECONDS,
        PROGRESS_SECONDS,
        TimeUnit.SECONDS);
    PipelineResult.State state;
    PipelineResult result;
    try {
      result = pipeline.run();
      running.set(result);
      state = result.waitUntilFinish();
    } finally {
      ticker.shutdownNow();
      try {
        // a report under way (a slow metrics query) must not draw after the last one
        ticker.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      progress.end();
    }
    Map<String, Long> counters = allCounters(result, counterNames);
    Map<String, Long> named = new LinkedHashMap<>();
    counterNames.forEach(n -> named.put(n, counters.get(n)));
    progress.progress(named, Duration.ofNanos(System.nanoTime() - start), true);
    if (state != PipelineResult.State.DONE) {
      throw new PipelineFailedException("pipeline ended in state " + state);
    }
    return counters;
  }

  private static Map<String, Long> safeCounters(PipelineResult r, List<String> names) {
    try {
      return counters(r, names);
    } catch (RuntimeException e) {
      return Map.of();
    }
  }

  /** Attempted values of every counter, summed over steps, the named ones first. */
  public static Map<String, Long> allCounters(PipelineResult result, List<String> first) {
    return sum(result, first, true);
  }

  /** Attempted values of the named counters, summed over all steps. */
  public static Map<String, Long> counters(PipelineResult result, List<String> names) {
    return sum(result, names, false);
  }

  private static Map<String, Long> sum(PipelineResult result, List<String> names, boolean others) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String n : names) {
      out.put(n, 0L);
    }
    MetricQueryResults q = result.metrics().queryMetrics(MetricsFilter.builder().build());
    for (MetricResult<Long> c : q.getCounters()) {
      String name = c.getName().getName();
      if (others || out.containsKey(name)) {
        Long v = c.getAttempted();
        out.merge(name, v == null ? 0L : v, Long::sum);
      }
    }
    return out;
  }

  /** The runner reported a job that did not finish DONE. */
  public static final class PipelineFailedException extends RuntimeException {
    public PipelineFailedException(String message) {
      super(message);
    }
  }
}
