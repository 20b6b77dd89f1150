package org.beamarchiver.status;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.beamarchiver.ledger.ArchiveStatus;
import org.beamarchiver.ledger.DeletionStatus;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.ledger.Jobs;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.Durations;
import org.beamarchiver.model.IsoWeek;

/**
 * A table's status as one self-contained HTML page: a grid of batches by ISO weeks coloured by
 * each partition's state (row counts on hover), the latest jobs with their state transitions as
 * timelines, the verify results and the lease. No script, font or image is fetched: the page's
 * Content-Security-Policy forbids it, so the page opens offline and a browser would name any
 * reference that slipped in. Every value is escaped by the template ({@code status.html.mustache}).
 */
public final class StatusPage {
  /** A partition's state on the page, worst first: the first that applies is shown. */
  public enum CellState {
    VERIFY_PROBLEM("verify problem", "!"),
    FAILED("failed", "F"),
    IN_PROGRESS("in progress", "…"),
    UNVERIFIED("unverified", "U"),
    ARCHIVED("archived", "A"),
    DELETED("deleted", "D");

    private final String label;
    private final String mark;

    CellState(String label, String mark) {
      this.label = label;
      this.mark = mark;
    }

    public String label() {
      return label;
    }

    /** The CSS class and {@code data-state} value: {@code verify-problem}, {@code failed}, ... */
    public String css() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The state of one ledger row. */
    public static CellState of(LedgerRow r) {
      if (r.verifyResult() != null && !"OK".equals(r.verifyResult())) {
        return VERIFY_PROBLEM;
      }
      if (r.archivalStatus() == ArchiveStatus.FAILED || r.deletionStatus() == DeletionStatus.FAILED) {
        return FAILED;
      }
      if (r.archivalStatus() == ArchiveStatus.PENDING || r.deletionStatus() == DeletionStatus.PENDING) {
        return IN_PROGRESS;
      }
      if (r.deleted()) {
        return DELETED;
      }
      return r.verifyResult() == null ? UNVERIFIED : ARCHIVED;
    }
  }

  /** The widest run of weeks shown whole; a wider one shows only the weeks that have partitions. */
  static final int MAX_CONTINUOUS_WEEKS = 156;

  /** The most batches shown as rows (by id); the legend and verify results still count them all. */
  static final int MAX_BATCHES_SHOWN = 1000;

  /** The verify problems listed by name; the rest are counted. */
  static final int MAX_PROBLEMS_LISTED = 200;

  private static final DefaultMustacheFactory TEMPLATES = new DefaultMustacheFactory("org/beamarchiver/status");
  private static final Mustache PAGE = TEMPLATES.compile("status.html.mustache");
  private static final Mustache UNAVAILABLE = TEMPLATES.compile("unavailable.html.mustache");

  private StatusPage() {}

  /** Writes the page of a snapshot; {@code refreshSeconds} > 0 makes the browser reload it (served). */
  public static void write(StatusSnapshot status, int refreshSeconds, Writer out) {
    try {
      PAGE.execute(out, view(status, refreshSeconds)).flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The page of a snapshot as a string. */
  public static String render(StatusSnapshot status, int refreshSeconds) {
    StringWriter w = new StringWriter();
    write(status, refreshSeconds, w);
    return w.toString();
  }

  /** The page served in place of the status when the ledger cannot be read (it reloads too). */
  public static String unavailable(String reason, Instant at, int refreshSeconds) {
    StringWriter w = new StringWriter();
    UNAVAILABLE.execute(w, new Unavailable(reason, time(at), refreshSeconds > 0 ? refreshSeconds : null));
    return w.toString();
  }

  public record Unavailable(String reason, String at, Integer refreshSeconds) {}

  /** The partitions counted by state in one line: {@code 12 partitions: 8 deleted, 3 archived, ...}. */
  public static String legendLine(StatusSnapshot status) {
    StringBuilder sb = new StringBuilder().append(status.partitions().size()).append(" partitions");
    String sep = ": ";
    for (LegendEntry e : view(status, 0).legend()) {
      if (e.count() > 0) {
        sb.append(sep).append(e.count()).append(' ').append(e.label());
        sep = ", ";
      }
    }
    return sb.toString();
  }

  // ---- the template's view: plain values, already formatted ---------------------------------

  /** The whole page. */
  public record View(
      String table,
      String archiveType,
      String request,
      String takenAt,
      Integer refreshSeconds,
      List<LegendEntry> legend,
      Grid grid,
      String lease,
      String leaseState,
      boolean hasJobs,
      List<JobView> jobs,
      VerifyView verify,
      Integer superseded) {}

  /** One state in the legend, with how many partitions are in it. */
  public record LegendEntry(String css, String label, String mark, long count) {}

  /** The batches-by-weeks grid; {@code note} says when weeks without partitions are left out. */
  public record Grid(boolean empty, List<YearHeader> years, List<WeekHeader> weeks, List<GridRow> rows, String note) {}

  public record YearHeader(int year, int span) {}

  public record WeekHeader(String week, String number) {}

  public record GridRow(String batch, List<Cell> cells) {}

  /** One cell: {@code state} is null where the batch has no partition in the week. */
  public record Cell(String week, String state, String mark, String title, String rows) {}

  public record JobView(
      String id,
      String kind,
      String state,
      String stateCss,
      String created,
      String took,
      String counts,
      String exitCode,
      String error,
      List<Segment> segments,
      int transitionCount,
      List<TransitionView> transitions) {}

  /** One stretch of a job's timeline: the state it was in and for how long. */
  public record Segment(String state, String css, long grow, String title) {}

  public record TransitionView(String at, String state, String css, String detail) {}

  public record VerifyView(
      long ok, long problems, long never, String latestOk, boolean hasProblems, List<Problem> problemList, Long unlisted) {}

  public record Problem(String batch, String week, String at, String result) {}

  static View view(StatusSnapshot s, int refreshSeconds) {
    Map<CellState, Long> counts = new EnumMap<>(CellState.class);
    for (CellState c : CellState.values()) {
      counts.put(c, 0L);
    }
    for (LedgerRow r : s.partitions()) {
      counts.merge(CellState.of(r), 1L, Long::sum);
    }
    List<LegendEntry> legend = new ArrayList<>();
    for (CellState c : CellState.values()) {
      legend.add(new LegendEntry(c.css(), c.label(), c.mark, counts.get(c)));
    }
    String leaseState;
    String lease;
    if (s.lease() == null) {
      leaseState = "free";
      lease = "free: no job holds the table";
    } else if (s.lease().expired(s.takenAt())) {
      leaseState = "expired";
      lease = "expired (free to take): " + s.lease().describe();
    } else {
      leaseState = "held";
      lease = "held by " + s.lease().describe();
    }
    List<JobView> jobs = new ArrayList<>();
    for (StatusSnapshot.JobHistory h : s.jobs()) {
      jobs.add(job(h, s.takenAt()));
    }
    return new View(
        s.table(), s.archiveType(), s.request(), time(s.takenAt()),
        refreshSeconds > 0 ? refreshSeconds : null,
        legend, grid(s.partitions()), lease, leaseState, !jobs.isEmpty(), jobs, verify(s.partitions()),
        s.superseded().isEmpty() ? null : s.superseded().size());
  }

  static Grid grid(List<LedgerRow> partitions) {
    if (partitions.isEmpty()) {
      return new Grid(true, List.of(), List.of(), List.of(), null);
    }
    TreeSet<IsoWeek> present = new TreeSet<>();
    Map<String, Map<IsoWeek, LedgerRow>> byBatch = new TreeMap<>();
    for (LedgerRow r : partitions) {
      IsoWeek w = IsoWeek.parse(r.period());
      present.add(w);
      byBatch.computeIfAbsent(r.batchId(), b -> new LinkedHashMap<>()).put(w, r);
    }
    List<IsoWeek> weeks = new ArrayList<>();
    String note = null;
    long span = ChronoUnit.WEEKS.between(present.first().monday(), present.last().monday()) + 1;
    if (span <= MAX_CONTINUOUS_WEEKS) {
      for (IsoWeek w = present.first(); w.compareTo(present.last()) <= 0; w = IsoWeek.of(w.end())) {
        weeks.add(w);
      }
    } else {
      weeks.addAll(present);
      note = "The partitions span " + span + " weeks (" + present.first() + " to " + present.last()
          + "): only the " + present.size() + " weeks that have partitions are shown.";
    }
    List<YearHeader> years = new ArrayList<>();
    List<WeekHeader> headers = new ArrayList<>();
    for (IsoWeek w : weeks) {
      if (years.isEmpty() || years.get(years.size() - 1).year() != w.year()) {
        years.add(new YearHeader(w.year(), 0));
      }
      YearHeader last = years.remove(years.size() - 1);
      years.add(new YearHeader(last.year(), last.span() + 1));
      headers.add(new WeekHeader(w.toString(), String.format("%02d", w.week())));
    }
    List<GridRow> rows = new ArrayList<>();
    if (byBatch.size() > MAX_BATCHES_SHOWN) {
      note = (note == null ? "" : note + " ") + "Showing the first " + MAX_BATCHES_SHOWN + " of " + byBatch.size()
          + " batches (by id); --batchIds narrows the page to the batches you name.";
    }
    for (Map.Entry<String, Map<IsoWeek, LedgerRow>> b : byBatch.entrySet()) {
      if (rows.size() == MAX_BATCHES_SHOWN) {
        break;
      }
      List<Cell> cells = new ArrayList<>();
      for (IsoWeek w : weeks) {
        LedgerRow r = b.getValue().get(w);
        if (r == null) {
          cells.add(new Cell(w.toString(), null, "", b.getKey() + " · " + w + ": no partition", null));
        } else {
          CellState c = CellState.of(r);
          cells.add(new Cell(w.toString(), c.css(), c.mark, cellTitle(r, c), r.rowCount() == null ? "" : r.rowCount().toString()));
        }
      }
      rows.add(new GridRow(b.getKey(), cells));
    }
    return new Grid(false, years, headers, rows, note);
  }

  /** The hover text of a partition's cell: its state, row counts, verification and error. */
  static String cellTitle(LedgerRow r, CellState c) {
    StringBuilder t = new StringBuilder(r.batchId()).append(" · ").append(r.period()).append(": ").append(c.label());
    t.append("\n").append(r.rowCount() == null ? "rows unknown" : count(r.rowCount()) + " rows archived");
    if (r.iteration() > 1) {
      t.append(" (archive ").append(r.iteration()).append(')');
    }
    if (r.deletionStatus() != null) {
      t.append("\ndelete ").append(r.deletionStatus().name().toLowerCase(Locale.ROOT));
      if (r.deletedRows() != null) {
        t.append(": ").append(count(r.deletedRows())).append(" deleted");
      }
      if (r.skippedChangedRows() != null && r.skippedChangedRows() > 0) {
        t.append(", ").append(count(r.skippedChangedRows())).append(" kept as changed");
      }
    }
    t.append("\n").append(
        r.verifyResult() == null ? "never verified" : "verified " + time(r.verifiedAt()) + ": " + firstLine(r.verifyResult(), 300));
    if (r.errMessage() != null && c != CellState.VERIFY_PROBLEM) {
      t.append("\n").append(firstLine(r.errMessage(), 300));
    }
    return t.toString();
  }

  static JobView job(StatusSnapshot.JobHistory h, Instant now) {
    Jobs.JobRow j = h.job();
    List<Segment> segments = new ArrayList<>();
    List<TransitionView> transitions = new ArrayList<>();
    List<Jobs.Transition> ts = h.transitions();
    for (int i = 0; i < ts.size(); i++) {
      Jobs.Transition t = ts.get(i);
      Instant until = i + 1 < ts.size() ? ts.get(i + 1).at() : t.state().terminal() ? t.at() : now;
      Duration d = Duration.between(t.at(), until);
      if (d.isNegative()) {
        d = Duration.ZERO;
      }
      String css = phaseCss(t.state());
      segments.add(new Segment(
          t.state().name(), css, Math.max(1, d.toMillis()),
          t.state().name() + " at " + time(t.at()) + (t.state().terminal() ? "" : ", for " + took(d))
              + (t.detail() == null ? "" : "\n" + firstLine(t.detail(), 300))));
      transitions.add(new TransitionView(time(t.at()), t.state().name(), css, t.detail() == null ? null : firstLine(t.detail(), 300)));
    }
    Instant end = j.endedAt() != null ? j.endedAt() : now;
    if (end.isBefore(j.createdAt())) {
      end = j.createdAt(); // the ledger's clock ahead of this machine's
    }
    return new JobView(
        j.jobId(), j.kind(), j.state().name(), stateCss(j.state()), time(j.createdAt()),
        (j.endedAt() == null ? "running for " : "") + took(Duration.between(j.createdAt(), end)),
        j.partitionsSucceeded() == null ? ""
            : j.partitionsSucceeded() + " ok, " + j.partitionsFailed() + " failed, " + j.partitionsSkipped() + " skipped",
        j.exitCode() == null ? "" : j.exitCode().toString(),
        j.error() == null ? null : firstLine(j.error(), 300),
        segments, transitions.size(), transitions);
  }

  static VerifyView verify(List<LedgerRow> partitions) {
    long ok = 0;
    long never = 0;
    Instant latestOk = null;
    List<Problem> problems = new ArrayList<>();
    long problemCount = 0;
    for (LedgerRow r : partitions) {
      if (r.verifyResult() == null) {
        never += r.archived() ? 1 : 0;
      } else if ("OK".equals(r.verifyResult())) {
        ok++;
        if (r.verifiedAt() != null && (latestOk == null || r.verifiedAt().isAfter(latestOk))) {
          latestOk = r.verifiedAt();
        }
      } else {
        problemCount++;
        if (problems.size() < MAX_PROBLEMS_LISTED) {
          problems.add(new Problem(r.batchId(), r.period(), time(r.verifiedAt()), r.verifyResult()));
        }
      }
    }
    long unlisted = problemCount - problems.size();
    return new VerifyView(
        ok, problemCount, never, latestOk == null ? null : time(latestOk), !problems.isEmpty(), problems,
        unlisted == 0 ? null : unlisted);
  }

  /** The colour group of a job state: running, error, completed, partial, failed or idle. */
  static String stateCss(JobState s) {
    return switch (s) {
      case COMPLETED -> "completed";
      case COMPLETED_WITH_FAILURES -> "partial";
      case FAILED -> "failed";
      case ERROR, RECOVERABLE_ERROR, FAILURE, ERROR_HANDLING -> "error";
      case BUSY, ABANDONED -> "idle";
      default -> "running";
    };
  }

  /** A timeline's colour of a state: the job's own colours, its running states split into phases. */
  static String phaseCss(JobState s) {
    return switch (s) {
      case UNINITIALIZED, QUEUED, PROCESSING -> "setup";
      case ARCHIVING, DELETING, RESTORING, PURGING -> "running";
      case POST_PROCESSING, STORING, CLEANUP -> "finish";
      default -> stateCss(s);
    };
  }

  static String time(Instant t) {
    return t == null ? "-" : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static String took(Duration d) {
    return Durations.human(d);
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String firstLine(String s, int max) {
    int i = s.indexOf('\n');
    String l = i < 0 ? s : s.substring(0, i);
    return l.length() > max ? l.substring(0, max - 3) + "..." : l;
  }
}
