package org.beamarchiver.model;

import java.io.Serializable;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An ISO-8601 week (week-based year + week number), always in UTC. Weeks start Monday 00:00 UTC. */
public record IsoWeek(int year, int week) implements Serializable, Comparable<IsoWeek> {
  private static final Pattern TEXT = Pattern.compile("(\\d{4})-W(\\d{2})");

  public IsoWeek {
    if (week < 1 || week > 53) {
      throw new IllegalArgumentException("ISO week must be 1..53, got " + week);
    }
  }

  public static IsoWeek of(LocalDate date) {
    return new IsoWeek(
        date.get(IsoFields.WEEK_BASED_YEAR), date.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
  }

  public static IsoWeek of(Instant instant) {
    return of(instant.atZone(ZoneOffset.UTC).toLocalDate());
  }

  public static IsoWeek ofEpochMillis(long millis) {
    return of(Instant.ofEpochMilli(millis));
  }

  /** Parses the ledger form {@code YYYY-Www}. */
  public static IsoWeek parse(String text) {
    Matcher m = TEXT.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("not an ISO week (YYYY-Www): " + text);
    }
    return new IsoWeek(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  /** Monday of this week. */
  public LocalDate monday() {
    return LocalDate.of(year, 1, 4)
        .with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, week)
        .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
  }

  /** First instant of the week (inclusive). */
  public Instant start() {
    return monday().atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** First instant after the week (exclusive end). */
  public Instant end() {
    return monday().plusWeeks(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  public IsoWeek minusWeeks(int n) {
    return of(monday().minusWeeks(n));
  }

  /** The ledger's {@code period} form: {@code 2015-W53}. */
  @Override
  public String toString() {
    return String.format("%04d-W%02d", year, week);
  }

  @Override
  public int compareTo(IsoWeek o) {
    return year != o.year ? Integer.compare(year, o.year) : Integer.compare(week, o.week);
  }
}
