package org.beamarchiver.control;

import org.beamarchiver.ledger.JobState;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every job's life, written once: the table's lease → cleaning up after runs that died → the work,
 * attempted under the retry policy (each retry resuming) → post-processing → the summary → cleanup
 * → the job's outcome, each state recorded in the ledger. Archive, delete and restore differ only in
 * their {@link Job}.
 */
public final class JobRunner {
  private JobRunner() {}

  /** What a job counted at its end: partitions done, failed, and left alone. */
  public record Counts(int succeeded, int failed, int skipped) {}

  /** One kind of job's steps; the runner calls them in this order, under the lease. */
  public interface Job<R> {
    /** Under the lease, first: connects what the job reaches (the object stores). */
    default void open() throws Exception {}

    /**
     * Everything before the work, after runs that died were cleaned up: what to do, and the notes
     * that say so. A {@link RefusedException} ends the job FAILED (exit 5) before anything changed.
     */
    void prepare() throws Exception;

    /** Whether there is work for the pipeline (an empty request has none). */
    boolean hasWork();

    /** The state the work runs in: ARCHIVING, DELETING, RESTORING. */
    JobState workState();

    /** One attempt of the work, safe to repeat: attempt 2 and later resume. Returns its counters. */
    Map<String, Long> attempt(int attempt) throws Exception;

    /** What POST_PROCESSING does, for the job's record; null when nothing is worth saying. */
    default String postProcessing() {
      return null;
    }

    /** Checks after the work (the archive's objects, its manifest). */
    default void postProcess() throws Exception {}

    /** What STORING does, for the job's record. */
    default String storing() {
      return null;
    }

    /** The summary, from the work's counters; and what the job record counts. */
    R summarize(Map<String, Long> counters) throws Exception;

    Counts counts(R summary);

    /** The partitions that failed or were refused, with their reasons, for the run's notification. */
    default java.util.List<org.beamarchiver.notify.Notice.Problem> problems(R summary) {
      return java.util.List.of();
    }

    /** After a failure, before {@link #cleanUp}: what the failed work may have left half done. */
    default void afterFailure() throws Exception {}

    /** The run's temporary files, removed at the end, whether the run succeeded or not. */
    void cleanUp() throws Exception;
  }

  /**
   * Runs {@code job} under the lease {@code settings} describe.
   *
   * @param reconcile cleans up after runs that died; null for a job that leaves nothing to clean up
   * @throws LeaseHeldException when another live run holds the lease (the job ends BUSY)
   */
  public static <R> R run(JobControl.Settings settings, Reconcile reconcile, Consumer<String> note, Job<R> job)
      throws Exception {
    try (JobControl control = JobControl.start(settings, note)) {
      try {
        job.open();
        if (reconcile != null) {
          reconcile.afterDeadRuns(settings.jobId(), control.abandonedJobs());
        }
        job.prepare();
        Map<String, Long> counters = job.hasWork() ? control.attempt(job.workState(), job::attempt) : Map.of();
        control.counters(counters);
        control.to(JobState.POST_PROCESSING, job.postProcessing());
        job.postProcess();
        control.to(JobState.STORING, job.storing());
        R summary = job.summarize(counters);
        Counts counts = job.counts(summary);
        control.to(JobState.CLEANUP, null);
        job.cleanUp();
        control.complete(counts.succeeded(), counts.failed(), counts.skipped(), job.problems(summary));
        return summary;
      } catch (RefusedException e) {
        control.end(JobState.FAILED, 0, 0, 0, 5, e.getMessage());
        throw e;
      } catch (Exception e) {
        throw control.fail(
            e,
            () -> {
              job.afterFailure();
              job.cleanUp();
            });
      }
    }
  }
}
