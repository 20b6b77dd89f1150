package org.beamarchiver.options;

import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.WeekSelection;

/** Turns {@link PeriodOptions} into an {@link ArchiveRequest}, with errors naming the option. */
public final class Requests {
  private Requests() {}

  public static ArchiveRequest from(PeriodOptions o, Instant now) {
    WeekSelection period;
    try {
      period = WeekSelection.valueOf(o.getPeriod().trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "--period="
              + o.getPeriod()
              + " is not valid; allowed: "
              + String.join(", ", Arrays.stream(WeekSelection.values()).map(Enum::name).toList()));
    }
    LocalDate date = null;
    if (o.getDate() != null) {
      try {
        date = LocalDate.parse(o.getDate().trim());
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "--date=" + o.getDate() + " is not a date; expected YYYY-MM-DD, e.g. 2021-12-01");
      }
    }
    if (date != null && period != WeekSelection.DATE) {
      throw new IllegalArgumentException("--date is only used with --period=DATE");
    }
    if (o.getWeeks() != null && period != WeekSelection.LAST_N_WEEKS) {
      throw new IllegalArgumentException("--weeks is only used with --period=LAST_N_WEEKS");
    }
    Instant asOf = now;
    if (o.getAsOf() != null) {
      try {
        asOf = Instant.parse(o.getAsOf().trim());
      } catch (DateTimeParseException e) {
        try {
          asOf = LocalDate.parse(o.getAsOf().trim()).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e2) {
          throw new IllegalArgumentException(
              "--asOf="
                  + o.getAsOf()
                  + " is not an instant; expected ISO-8601 like 2024-03-11T00:00:00Z or a date"
                  + " YYYY-MM-DD (midnight UTC)");
        }
      }
    }
    List<String> batches =
        o.getBatchIds() == null ? List.of() : Arrays.asList(o.getBatchIds().split(","));
    if (o.getBatchIds() != null && batches.stream().allMatch(String::isBlank)) {
      throw new IllegalArgumentException("--batchIds is empty; give one or more ids, comma-separated");
    }
    return ArchiveRequest.resolve(period, o.getWeeks(), date, asOf, batches);
  }
}
