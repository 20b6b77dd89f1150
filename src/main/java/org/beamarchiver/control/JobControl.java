package org.beamarchiver.control;

import org.beamarchiver.ledger.JobState;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.beamarchiver.notify.Notice;
import org.beamarchiver.notify.Notifier;
import org.beamarchiver.notify.RunMetrics;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.beamarchiver.ledger.Jobs;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.ledger.Leases;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.retry.Recoverable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One archive or delete job under run control: its row and transitions in the ledger, the table's
 * lease (taken before anything changes, renewed while the job lives, released at the end), and
 * bounded retries with backoff for recoverable errors. See {@link JobState}.
 */
public final class JobControl implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobControl.class);
  /** A queued job silent this long (it touches its row every poll while waiting) is gone. */
  private static final Duration STALE_WAITING = Duration.ofMinutes(5);

  /** How a job is controlled. */
  public record Settings(
      JdbcEndpoint ledger,
      String kind,
      String type,
      String table,
      String jobId,
      String requestData,
      Duration leaseTtl,
      Duration waitForLease,
      int maxRetries,
      Duration retryBackoff,
      Notifier notifier,
      RunMetrics metrics) {
    /** The same, with the request the job records. */
    public Settings withRequestData(String data) {
      return new Settings(
          ledger, kind, type, table, jobId, data, leaseTtl, waitForLease, maxRetries, retryBackoff, notifier, metrics);
    }
  }

  /**
   * How long the job's own bookkeeping waits for the ledger once an outage has already outlasted
   * the budget: the run is giving up, and should say so promptly rather than wait again per state.
   */
  private static final Duration AFTER_GIVING_UP = Duration.ofSeconds(5);

  private final Settings settings;
  private Jobs jobs;
  private Leases leases;
  private final String resource;
  private final Consumer<String> note;
  private final AtomicBoolean leaseLost = new AtomicBoolean();
  private final List<String> abandoned = new ArrayList<>();
  private ScheduledExecutorService heartbeat;
  private boolean ended;
  private final Instant started = Instant.now();
  private Map<String, Long> counters = Map.of();

  private JobControl(Settings settings, Consumer<String> note) {
    this.settings = settings;
    this.jobs = new Jobs(settings.ledger());
    this.leases = new Leases(settings.ledger());
    this.resource = leaseResource(settings.type());
    this.note = note;
  }

  /** The lease every job on a table takes: archive and delete runs of one table never overlap. */
  public static String leaseResource(String type) {
    return "table:" + type;
  }

  /**
   * Creates the job, waits for the table's lease (up to {@code waitForLease}), marks jobs whose
   * process died as ABANDONED, and returns in state QUEUED, holding the lease.
   *
   * @throws LeaseHeldException when another live run holds the lease; the job ends BUSY
   */
  public static JobControl start(Settings settings, Consumer<String> note)
      throws SQLException, InterruptedException {
    JobControl job = new JobControl(settings, note);
    job.begin();
    return job;
  }

  private void begin() throws SQLException, InterruptedException {
    String info = holderInfo();
    jobs.create(new Jobs.NewJob(settings.jobId(), settings.kind(), settings.type(), settings.table(), settings.requestData(), info));
    jobs.transition(settings.jobId(), JobState.QUEUED, "waiting for lease " + resource);
    Instant deadline = Instant.now().plus(settings.waitForLease());
    boolean waitingNoted = false;
    while (true) {
      Leases.Acquisition a =
          leases.tryAcquire(resource, settings.jobId(), info, settings.leaseTtl());
      if (a.acquired()) {
        if (a.previous() != null) {
          String took = "took over the expired lease of " + a.previous().describe();
          note.accept(took);
          jobs.transition(settings.jobId(), JobState.QUEUED, took);
        }
        break;
      }
      if (deadOnThisHost(a.previous(), info)
          && leases.takeOver(resource, a.previous().holder(), settings.jobId(), info, settings.leaseTtl())) {
        String took = "took over the lease of " + a.previous().describe() + ": its process is gone from this host";
        note.accept(took);
        jobs.transition(settings.jobId(), JobState.QUEUED, took);
        break;
      }
      if (!Instant.now().isBefore(deadline)) {
        String msg =
            "another run holds the lease on table " + settings.table() + " (" + settings.type() + "): "
                + a.previous().describe()
                + "; try again later, or wait for it with --waitForLeaseSeconds";
        jobs.end(settings.jobId(), new Jobs.Outcome(JobState.BUSY, 0, 0, 0, 4, msg));
        ended = true;
        throw new LeaseHeldException(msg);
      }
      if (!waitingNoted) {
        note.accept("waiting for the lease held by " + a.previous().describe());
        waitingNoted = true;
      }
      jobs.touch(settings.jobId());
      Thread.sleep(Math.min(2000, Math.max(100, Duration.between(Instant.now(), deadline).toMillis())));
    }
    startHeartbeat();
    Instant staleBefore = Instant.now().minus(STALE_WAITING);
    for (Jobs.JobRow j : jobs.unfinished(settings.type())) {
      // A job past QUEUED held the lease, which is now ours: its process is gone. A job still
      // QUEUED may be waiting for the lease: it is gone only when it stopped showing signs of life.
      boolean waiting = j.state() == JobState.QUEUED || j.state() == JobState.UNINITIALIZED;
      if (!j.jobId().equals(settings.jobId()) && (!waiting || j.updatedAt().isBefore(staleBefore))) {
        jobs.transition(
            j.jobId(),
            JobState.ABANDONED,
            "its process ended without finishing (state " + j.state() + "); found by " + settings.jobId());
        abandoned.add(j.jobId());
        note.accept("job " + j.jobId() + " (" + j.kind() + ", " + j.state() + ") had died; marked ABANDONED");
      }
    }
  }

  private void startHeartbeat() {
    heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lease-heartbeat");
              t.setDaemon(true);
              return t;
            });
    long period = Math.max(1, settings.leaseTtl().toMillis() / 3);
    heartbeat.scheduleAtFixedRate(
        () -> {
          try {
            if (!leases.renew(resource, settings.jobId(), settings.leaseTtl())) {
              if (leaseLost.compareAndSet(false, true)) {
                LOG.error("lost the lease on {}: another run took it over", resource);
              }
            }
          } catch (SQLException | RuntimeException e) {
            LOG.warn("could not renew the lease on {}: {}", resource, e.toString());
          }
        },
        period,
        period,
        TimeUnit.MILLISECONDS);
  }

  /** Jobs of this table found dead at start; their temporary files may be removed. */
  public List<String> abandonedJobs() {
    return List.copyOf(abandoned);
  }

  public boolean leaseLost() {
    return leaseLost.get();
  }

  public String jobId() {
    return settings.jobId();
  }

  /**
   * After an outage outlasted the budget, the rest of the job's bookkeeping (its error states, its
   * end, the lease's release) tries the ledger briefly: what it cannot record, the next run finds
   * (the job ABANDONED, the lease expired).
   */
  private void gaveUp(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof Outage.GaveUpException) {
        JdbcEndpoint brief = settings.ledger().withOutage(new Outage(AFTER_GIVING_UP));
        jobs = new Jobs(brief);
        leases = new Leases(brief);
        return;
      }
    }
  }

  public void to(JobState state, String detail) {
    try {
      jobs.transition(settings.jobId(), state, detail);
    } catch (SQLException e) {
      throw new IllegalStateException("could not record job state " + state + ": " + e, e);
    }
  }

  /**
   * Runs the work: PROCESSING → {@code workState}; on an error ERROR, then RECOVERABLE_ERROR and a
   * retry after backoff (doubling) while retries are left, else FAILURE → ERROR_HANDLING and the
   * error is thrown. {@code work} receives the attempt number (1, 2, ...) and must be safe to
   * repeat (the pipelines resume: what an attempt finished is skipped by the next).
   */
  public <T> T attempt(JobState workState, AttemptBody<T> work) throws Exception {
    for (int attempt = 1; ; attempt++) {
      to(JobState.PROCESSING, "attempt " + attempt);
      to(workState, null);
      try {
        T result = work.run(attempt);
        if (leaseLost()) {
          throw new IllegalStateException("the lease on " + resource + " was lost during the run");
        }
        return result;
      } catch (Exception e) {
        gaveUp(e);
        if (!toQuietly(JobState.ERROR, String.valueOf(e), e)) {
          throw e; // the ledger cannot take the error: no retry that it could not track either
        }
        if (Recoverable.is(e) && attempt <= settings.maxRetries() && !leaseLost()) {
          Duration wait = settings.retryBackoff().multipliedBy(1L << Math.min(10, attempt - 1));
          to(JobState.RECOVERABLE_ERROR, "retry " + attempt + " of " + settings.maxRetries() + " in " + wait);
          note.accept("recoverable error (" + e + "); retrying in " + wait.toSeconds() + "s");
          Thread.sleep(wait.toMillis());
          continue;
        }
        toQuietly(JobState.FAILURE, String.valueOf(e), e);
        toQuietly(JobState.ERROR_HANDLING, null, e);
        throw e;
      }
    }
  }

  /**
   * Records a state on the way out of a failure; if the ledger cannot take it, the failure being
   * handled keeps that as a suppressed error and goes on. False when it could not be recorded.
   */
  private boolean toQuietly(JobState state, String detail, Exception failure) {
    try {
      to(state, detail);
      return true;
    } catch (RuntimeException bookkeeping) {
      gaveUp(bookkeeping);
      failure.addSuppressed(bookkeeping);
      return false;
    }
  }

  /** The work of one attempt. */
  public interface AttemptBody<T> {
    T run(int attempt) throws Exception;
  }

  /** The terminal state of a job that ran to the end: with failures when any partition FAILED. */
  public static JobState outcome(int failedPartitions) {
    return failedPartitions > 0 ? JobState.COMPLETED_WITH_FAILURES : JobState.COMPLETED;
  }

  /** Ends a job that ran to the end: COMPLETED (exit 0) or COMPLETED_WITH_FAILURES (exit 3). */
  public void complete(int succeeded, int failed, int skipped) {
    complete(succeeded, failed, skipped, List.of());
  }

  /** {@link #complete(int, int, int)} with the partitions that failed or were refused, for the notification. */
  public void complete(int succeeded, int failed, int skipped, List<Notice.Problem> problems) {
    end(outcome(failed), succeeded, failed, skipped, failed > 0 ? 3 : 0, null, problems);
  }

  /** Cleanup after a failure; best effort, what it leaves the next run does. */
  public interface Cleanup {
    void run() throws Exception;
  }

  /**
   * Ends a job whose work failed: CLEANUP (best effort), then FAILED (exit 1) with the error.
   * Returns the error, for the caller to throw.
   */
  public Exception fail(Exception e, Cleanup cleanup) {
    gaveUp(e);
    try {
      to(JobState.CLEANUP, null);
    } catch (RuntimeException bookkeeping) {
      e.addSuppressed(bookkeeping);
    }
    try {
      cleanup.run();
    } catch (Exception c) {
      note.accept("cleanup after the failure did not finish (the next run does it): " + c);
    }
    end(JobState.FAILED, 0, 0, 0, 1, String.valueOf(e));
    return e;
  }

  /** The work's counters (rows read, deleted, ...), for the run's metrics. */
  public void counters(Map<String, Long> c) {
    counters = Map.copyOf(c);
  }

  /** Ends the job in a terminal state with its outcome. */
  public void end(JobState state, int succeeded, int failed, int skipped, int exitCode, String error) {
    end(state, succeeded, failed, skipped, exitCode, error, List.of());
  }

  /**
   * Ends the job in a terminal state with its outcome, and sends its notification (--notifyUrl),
   * which never changes the outcome.
   */
  public void end(
      JobState state, int succeeded, int failed, int skipped, int exitCode, String error, List<Notice.Problem> problems) {
    try {
      jobs.end(settings.jobId(), new Jobs.Outcome(state, succeeded, failed, skipped, exitCode, error));
      ended = true;
    } catch (SQLException | RuntimeException e) {
      LOG.error("could not record the end of job {}: {}", settings.jobId(), e.toString());
    }
    RunMetrics metrics = settings.metrics() == null ? RunMetrics.NONE : settings.metrics();
    if (!metrics.equals(RunMetrics.NONE)) {
      try {
        metrics.publish(
            new RunMetrics.Run(
                settings.table(), settings.kind(), state.name(), exitCode, succeeded, failed, skipped, started,
                Instant.now(), counters, lastSuccess()));
      } catch (RuntimeException e) {
        LOG.warn("could not publish the metrics of job {}: {}", settings.jobId(), e.toString());
      }
    }
    Notifier notifier = settings.notifier() == null ? Notifier.NONE : settings.notifier();
    try {
      notifier.send(
          new Notice(
              settings.jobId(), settings.kind(), settings.table(), settings.requestData(), state.name(), exitCode,
              succeeded, failed, skipped, error, problems));
    } catch (RuntimeException e) {
      LOG.warn("could not send the notification of job {}: {}", settings.jobId(), e.toString());
    }
  }

  /** When each kind of job last completed without failures on this table (its end), from the ledger. */
  private Map<String, Instant> lastSuccess() {
    Map<String, Instant> out = new java.util.TreeMap<>();
    try {
      for (Jobs.JobRow j : jobs.recent(settings.type(), 500)) {
        if (j.state() == JobState.COMPLETED && j.endedAt() != null) {
          out.merge(j.kind(), j.endedAt(), (a, b) -> a.isAfter(b) ? a : b);
        }
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("could not read the table's last successful runs: {}", e.toString());
    }
    return out;
  }

  /** Stops the heartbeat and releases the lease; a job not ended is recorded FAILED. */
  @Override
  public void close() {
    if (heartbeat != null) {
      heartbeat.shutdownNow();
    }
    if (!ended) {
      end(JobState.FAILED, 0, 0, 0, 1, "ended without recording an outcome");
    }
    try {
      leases.release(resource, settings.jobId());
    } catch (SQLException e) {
      LOG.warn("could not release the lease on {} (it expires by itself): {}", resource, e.toString());
    }
  }

  private static final java.util.regex.Pattern HOLDER =
      java.util.regex.Pattern.compile("^host (\\S+), pid (\\d+),");

  /**
   * Whether a lease's holder ran on this host and its process no longer exists: then nothing can
   * still be working under the lease, and waiting for it to expire would only delay the rerun.
   */
  static boolean deadOnThisHost(Leases.Holder holder, String myInfo) {
    java.util.regex.Matcher theirs = HOLDER.matcher(holder.info() == null ? "" : holder.info());
    java.util.regex.Matcher mine = HOLDER.matcher(myInfo);
    if (!theirs.find() || !mine.find() || !theirs.group(1).equals(mine.group(1))) {
      return false;
    }
    long pid = Long.parseLong(theirs.group(2));
    return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
  }

  static String holderInfo() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "unknown-host";
    }
    return "host " + host + ", pid " + ProcessHandle.current().pid() + ", "
        + ManagementFactory.getRuntimeMXBean().getName();
  }
}
