package org.beamarchiver.model;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a launch asks for, resolved against {@code asOf}: a window of complete ISO weeks
 * [{@link #fromInclusive()}, {@link #toExclusive()}) in UTC, and optionally a set of batch ids.
 * A week that has not ended at {@code asOf} is never part of the window.
 */
public final class ArchiveRequest implements Serializable {
  private final WeekSelection period;
  private final Integer weeks;
  private final LocalDate date;
  private final Instant asOf;
  private final SortedSet<String> batchIds;
  private final Instant fromInclusive; // null = unbounded (ALL)
  private final Instant toExclusive; // null = empty window
  private final List<String> notes;

  private ArchiveRequest(
      WeekSelection period,
      Integer weeks,
      LocalDate date,
      Instant asOf,
      SortedSet<String> batchIds,
      Instant fromInclusive,
      Instant toExclusive,
      List<String> notes) {
    this.period = period;
    this.weeks = weeks;
    this.date = date;
    this.asOf = asOf;
    this.batchIds = batchIds;
    this.fromInclusive = fromInclusive;
    this.toExclusive = toExclusive;
    this.notes = notes;
  }

  /**
   * Resolves a period to its window. {@code weeks} is used by LAST_N_WEEKS, {@code date} by DATE.
   *
   * @throws IllegalArgumentException naming the option when a value is missing or out of range
   */
  public static ArchiveRequest resolve(
      WeekSelection period, Integer weeks, LocalDate date, Instant asOf, List<String> batchIds) {
    if (period == null) {
      throw new IllegalArgumentException(
          "--period is required: one of " + java.util.Arrays.toString(WeekSelection.values()));
    }
    IsoWeek current = IsoWeek.of(asOf);
    Instant currentStart = current.start();
    List<String> notes = new ArrayList<>();
    Instant from;
    Instant to;
    switch (period) {
      case LAST_WEEK -> {
        IsoWeek last = current.minusWeeks(1);
        from = last.start();
        to = last.end();
      }
      case LAST_N_WEEKS -> {
        if (weeks == null || weeks < 1) {
          throw new IllegalArgumentException(
              "--weeks must be a whole number >= 1 with --period=LAST_N_WEEKS, got " + weeks);
        }
        from = current.minusWeeks(weeks).start();
        to = currentStart;
      }
      case DATE -> {
        if (date == null) {
          throw new IllegalArgumentException(
              "--date (YYYY-MM-DD) is required with --period=DATE");
        }
        IsoWeek w = IsoWeek.of(date);
        if (!w.end().isAfter(currentStart)) {
          from = w.start();
          to = w.end();
        } else {
          notes.add(
              String.format(
                  "week %s holding --date=%s has not ended at --asOf=%s: nothing of it is archived",
                  w, date, asOf));
          from = null;
          to = null;
        }
      }
      case ALL -> {
        from = null;
        to = currentStart;
      }
      default -> throw new IllegalStateException(period.name());
    }
    if (period != WeekSelection.DATE) {
      notes.add(
          String.format(
              "the current week %s (started %s) has not ended at --asOf=%s and is excluded",
              current, currentStart, asOf));
    }
    SortedSet<String> ids = new TreeSet<>();
    if (batchIds != null) {
      for (String id : batchIds) {
        if (id != null && !id.isBlank()) {
          ids.add(id.trim());
        }
      }
    }
    return new ArchiveRequest(
        period,
        weeks,
        date,
        asOf,
        Collections.unmodifiableSortedSet(ids),
        from,
        to,
        List.copyOf(notes));
  }

  /**
   * The request narrowed to the weeks a storage's dates touch ({@code from} inclusive, {@code
   * until} exclusive, either null for unbounded): a storage that held a lifecycle's data until a
   * Wednesday serves that whole week, as does the storage that held it since; each archives the
   * files it holds. Returns this request when neither bound narrows it.
   */
  public ArchiveRequest within(LocalDate from, LocalDate until) {
    if (toExclusive == null || (from == null && until == null)) {
      return this;
    }
    Instant f = fromInclusive;
    Instant t = toExclusive;
    if (from != null) {
      Instant start = IsoWeek.of(from).start();
      f = f == null || start.isAfter(f) ? start : f;
    }
    if (until != null) {
      Instant end = IsoWeek.of(until.minusDays(1)).end();
      t = end.isBefore(t) ? end : t;
    }
    List<String> n = new ArrayList<>(notes);
    n.add("the storage holds the data " + (from == null ? "" : "from " + from + " ") + (until == null ? "onwards" : "until " + until)
        + ": the weeks it touches are its own");
    boolean empty = f != null && !t.isAfter(f);
    return new ArchiveRequest(period, weeks, date, asOf, batchIds, empty ? null : f, empty ? null : t, List.copyOf(n));
  }

  /** True when the row's time and batch fall in this request. */
  public boolean covers(String batchId, long timeMillis) {
    return coversTime(timeMillis) && coversBatch(batchId);
  }

  public boolean coversTime(long timeMillis) {
    if (toExclusive == null) {
      return false;
    }
    if (timeMillis >= toExclusive.toEpochMilli()) {
      return false;
    }
    return fromInclusive == null || timeMillis >= fromInclusive.toEpochMilli();
  }

  public boolean coversBatch(String batchId) {
    return batchIds.isEmpty() || batchIds.contains(batchId);
  }

  /** True when the week is inside the window. */
  public boolean coversWeek(IsoWeek week) {
    return toExclusive != null
        && !week.end().isAfter(toExclusive)
        && (fromInclusive == null || !week.start().isBefore(fromInclusive));
  }

  public boolean isEmpty() {
    return toExclusive == null;
  }

  /** How the request selects weeks (--period). */
  public WeekSelection selection() {
    return period;
  }

  public Optional<Integer> weeks() {
    return Optional.ofNullable(weeks);
  }

  public Optional<LocalDate> date() {
    return Optional.ofNullable(date);
  }

  public Instant asOf() {
    return asOf;
  }

  public SortedSet<String> batchIds() {
    return batchIds;
  }

  public Optional<Instant> fromInclusive() {
    return Optional.ofNullable(fromInclusive);
  }

  public Optional<Instant> toExclusive() {
    return Optional.ofNullable(toExclusive);
  }

  /** Things the operator should know, e.g. that the current week was excluded. */
  public List<String> notes() {
    return notes;
  }

  /** A one-line description for logs and summaries. */
  public String describe() {
    String window =
        toExclusive == null
            ? "no complete week"
            : (fromInclusive == null ? "(beginning)" : fromInclusive.toString())
                + " .. "
                + toExclusive
                + " (exclusive)";
    return String.format(
        "period=%s%s%s asOf=%s window=%s batches=%s",
        period,
        weeks == null ? "" : " weeks=" + weeks,
        date == null ? "" : " date=" + date,
        asOf,
        window,
        batchIds.isEmpty() ? "all" : String.join(",", batchIds));
  }
}
