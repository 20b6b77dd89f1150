package org.beamarchiver.io.files;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.spec.FileSourceSpec;

/**
 * The date that puts a file of a files table into its ISO week: the date in the path segment of the
 * spec's form ({@code dt={date}} matches {@code dt=2026-11-09}), or the file's modification time
 * (UTC) when the spec says {@value FileSourceSpec#MODIFIED}. A file without a usable date is not
 * archived: {@link Dated#problem} says why, for its dead letter.
 */
public final class FileDates {
  private static final DateTimeFormatter ISO_DATE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

  private final FileSourceSpec spec;
  private final Pattern segment;

  public FileDates(FileSourceSpec spec) {
    this.spec = spec;
    if (spec.byModificationTime()) {
      this.segment = null;
    } else {
      int at = spec.partitionDate().indexOf(FileSourceSpec.DATE);
      String prefix = spec.partitionDate().substring(0, at);
      String suffix = spec.partitionDate().substring(at + FileSourceSpec.DATE.length());
      this.segment = Pattern.compile(Pattern.quote(prefix) + "(\\d{4}-\\d{2}-\\d{2})" + Pattern.quote(suffix));
    }
  }

  /** A file's date, or why it has none. */
  public record Dated(LocalDate date, String problem) {
    public IsoWeek week() {
      return IsoWeek.of(date);
    }
  }

  /**
   * The date of the file at {@code relativePath} (segments separated by {@code /}) last modified
   * at {@code modifiedMillis} (0 or less: the file system did not say).
   */
  public Dated date(String relativePath, long modifiedMillis) {
    if (segment == null) {
      if (modifiedMillis <= 0) {
        return new Dated(null, "the file system reports no modification time, and partitionDate is modified");
      }
      return new Dated(Instant.ofEpochMilli(modifiedMillis).atZone(ZoneOffset.UTC).toLocalDate(), null);
    }
    LocalDate found = null;
    for (String s : relativePath.split("/", -1)) {
      Matcher m = segment.matcher(s);
      if (!m.matches()) {
        continue;
      }
      LocalDate d;
      try {
        d = LocalDate.parse(m.group(1), ISO_DATE);
      } catch (DateTimeParseException e) {
        return new Dated(null, "the path segment '" + s + "' does not hold a real date (" + spec.partitionDate() + ")");
      }
      if (found != null && !found.equals(d)) {
        return new Dated(null, "two path segments of the form " + spec.partitionDate() + " hold different dates");
      }
      found = d;
    }
    if (found == null) {
      return new Dated(null, "no path segment is of the form " + spec.partitionDate());
    }
    return new Dated(found, null);
  }
}
