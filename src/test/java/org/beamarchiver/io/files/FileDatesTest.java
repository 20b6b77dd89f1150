package org.beamarchiver.io.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.spec.FileSourceSpec;
import org.junit.jupiter.api.Test;

/** A file's date from its path segment or its modification time; a file without one says why. */
class FileDatesTest {
  private static FileDates.Dated date(String pattern, String path, long modified) {
    return new FileDates(new FileSourceSpec("/lake/events", pattern)).date(path, modified);
  }

  @Test
  void theSegmentOfTheSpecsFormHoldsTheDate() {
    FileDates.Dated d = date("dt={date}", "dt=2026-11-09/part-0001.parquet", 0);
    assertEquals(LocalDate.of(2026, 11, 9), d.date());
    assertNull(d.problem());
    assertEquals(new IsoWeek(2026, 46), d.week());
    // deeper, with other segments around, the file name itself, prefixes and suffixes
    assertEquals(LocalDate.of(2021, 1, 3), date("dt={date}", "region=eu/dt=2021-01-03/h=07/x y é.csv", 0).date());
    assertEquals(new IsoWeek(2020, 53), date("dt={date}", "dt=2021-01-03/f", 0).week());
    assertEquals(LocalDate.of(2024, 2, 29), date("{date}.log.gz", "app/2024-02-29.log.gz", 0).date());
    assertEquals(LocalDate.of(2026, 12, 31), date("day_{date}_utc", "day_2026-12-31_utc/a", 0).date());
    // the same date twice is one date
    assertEquals(LocalDate.of(2026, 1, 5), date("dt={date}", "dt=2026-01-05/dt=2026-01-05/a", 0).date());
  }

  @Test
  void aFileWithoutAUsableDateSaysWhy() {
    assertTrue(date("dt={date}", "2026-11-09/a", 0).problem().contains("no path segment is of the form dt={date}"));
    assertTrue(date("dt={date}", "dt=2026-11-09x/a", 0).problem().contains("no path segment"));
    assertTrue(date("dt={date}", "xdt=2026-11-09/a", 0).problem().contains("no path segment"));
    assertTrue(date("dt={date}", "dt=2026-02-30/a", 0).problem().contains("does not hold a real date"));
    assertTrue(date("dt={date}", "dt=2026-13-01/a", 0).problem().contains("does not hold a real date"));
    assertTrue(date("dt={date}", "dt=2026-01-05/dt=2026-01-06/a", 0).problem().contains("different dates"));
    assertTrue(date("modified", "a", 0).problem().contains("no modification time"));
  }

  @Test
  void byModificationTimeTheUtcDayOfTheFilesTime() {
    long justBeforeMidnight = Instant.parse("2026-11-15T23:59:59.999Z").toEpochMilli();
    assertEquals(LocalDate.of(2026, 11, 15), date("modified", "dt=2001-01-01/a", justBeforeMidnight).date());
    assertEquals(new IsoWeek(2026, 46), date("modified", "a", justBeforeMidnight).week());
    assertEquals(new IsoWeek(2026, 47), date("modified", "a", justBeforeMidnight + 1).week());
  }
}
