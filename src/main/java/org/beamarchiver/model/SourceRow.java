package org.beamarchiver.model;

import java.util.Arrays;

/**
 * One row read from the source: every archived column as canonical text (null for a null cell),
 * the time column as epoch millis and the newest write time of its cells.
 *
 * @param values canonical text per column of the {@link RowLayout}, null for null
 * @param timeMillis the time column, or {@link #NO_TIME} when it is null
 * @param writeTimeMicros the newest cell write time in microseconds, or {@link #NO_WRITE_TIME}
 */
public record SourceRow(String[] values, long timeMillis, long writeTimeMicros) {
  public static final long NO_TIME = Long.MIN_VALUE;
  public static final long NO_WRITE_TIME = Long.MIN_VALUE;

  public boolean hasTime() {
    return timeMillis != NO_TIME;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceRow r
        && Arrays.equals(values, r.values)
        && timeMillis == r.timeMillis
        && writeTimeMicros == r.writeTimeMicros;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values) * 31 + Long.hashCode(timeMillis);
  }

  @Override
  public String toString() {
    return Arrays.toString(values) + "@" + timeMillis;
  }
}
