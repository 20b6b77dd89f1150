package org.beamarchiver.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchiveRequestTest {
  // A Wednesday in 2016-W02.
  private static final Instant AS_OF = Instant.parse("2016-01-13T10:00:00Z");

  private static long ms(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @Test
  void lastWeekIsThePreviousCompleteWeek() {
    ArchiveRequest r = ArchiveRequest.resolve(WeekSelection.LAST_WEEK, null, null, AS_OF, List.of());
    assertEquals(Instant.parse("2016-01-04T00:00:00Z"), r.fromInclusive().get());
    assertEquals(Instant.parse("2016-01-11T00:00:00Z"), r.toExclusive().get());
    assertFalse(r.coversTime(ms("2016-01-03T23:59:59.999Z")));
    assertTrue(r.coversTime(ms("2016-01-04T00:00:00Z")));
    assertTrue(r.coversTime(ms("2016-01-10T23:59:59.999Z")));
    assertFalse(r.coversTime(ms("2016-01-11T00:00:00Z")), "the current week is never archived");
    assertTrue(r.notes().get(0).contains("2016-W02"), r.notes().toString());
  }

  @Test
  void lastNWeeksEndsBeforeTheCurrentWeek() {
    ArchiveRequest r = ArchiveRequest.resolve(WeekSelection.LAST_N_WEEKS, 2, null, AS_OF, List.of());
    assertEquals(Instant.parse("2015-12-28T00:00:00Z"), r.fromInclusive().get());
    assertEquals(Instant.parse("2016-01-11T00:00:00Z"), r.toExclusive().get());
    assertTrue(r.coversWeek(IsoWeek.parse("2015-W53")));
    assertFalse(r.coversWeek(IsoWeek.parse("2015-W52")));
    assertFalse(r.coversWeek(IsoWeek.parse("2016-W02")));
  }

  @Test
  void lastNWeeksNeedsWeeks() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ArchiveRequest.resolve(WeekSelection.LAST_N_WEEKS, null, null, AS_OF, List.of()));
    assertTrue(e.getMessage().contains("--weeks"), e.getMessage());
  }

  @Test
  void dateSelectsTheIsoWeekHoldingIt() {
    ArchiveRequest r =
        ArchiveRequest.resolve(WeekSelection.DATE, null, LocalDate.parse("2016-01-03"), AS_OF, List.of());
    assertEquals(Instant.parse("2015-12-28T00:00:00Z"), r.fromInclusive().get());
    assertEquals(Instant.parse("2016-01-04T00:00:00Z"), r.toExclusive().get());
    assertTrue(r.coversTime(ms("2015-12-31T12:00:00Z")));
  }

  @Test
  void dateInTheCurrentWeekArchivesNothingAndSaysSo() {
    ArchiveRequest r =
        ArchiveRequest.resolve(WeekSelection.DATE, null, LocalDate.parse("2016-01-11"), AS_OF, List.of());
    assertTrue(r.isEmpty());
    assertFalse(r.coversTime(ms("2016-01-11T01:00:00Z")));
    assertTrue(r.notes().get(0).contains("has not ended"), r.notes().toString());
  }

  @Test
  void allIsEveryCompleteWeek() {
    ArchiveRequest r = ArchiveRequest.resolve(WeekSelection.ALL, null, null, AS_OF, List.of());
    assertTrue(r.coversTime(ms("1999-01-01T00:00:00Z")));
    assertTrue(r.coversTime(ms("2016-01-10T23:59:59Z")));
    assertFalse(r.coversTime(ms("2016-01-11T00:00:00Z")));
  }

  @Test
  void asOfExactlyAtMondayMidnightEndsThePreviousWeek() {
    Instant monday = Instant.parse("2016-01-04T00:00:00Z");
    ArchiveRequest r = ArchiveRequest.resolve(WeekSelection.LAST_WEEK, null, null, monday, List.of());
    assertTrue(r.coversWeek(IsoWeek.parse("2015-W53")));
    assertTrue(r.coversTime(ms("2016-01-03T23:59:59.999Z")));
  }

  @Test
  void batchIdsRestrict() {
    ArchiveRequest r =
        ArchiveRequest.resolve(WeekSelection.ALL, null, null, AS_OF, List.of(" b1", "b2 ", ""));
    assertTrue(r.coversBatch("b1"));
    assertTrue(r.coversBatch("b2"));
    assertFalse(r.coversBatch("b3"));
  }

  /** A storage's dates narrow a request to the whole weeks they touch, so a week a storage change splits is served by both. */
  @Test
  void withinAStoragesDatesKeepsTheWholeWeeksTheyTouch() {
    ArchiveRequest all = ArchiveRequest.resolve(WeekSelection.ALL, null, null, java.time.Instant.parse("2026-12-03T10:00:00Z"), List.of());
    // 2026-11-11 is a Wednesday of week 2026-W46 (Monday 2026-11-09)
    ArchiveRequest old = all.within(null, LocalDate.parse("2026-11-11"));
    ArchiveRequest now = all.within(LocalDate.parse("2026-11-11"), null);
    IsoWeek w45 = IsoWeek.of(LocalDate.parse("2026-11-02"));
    IsoWeek w46 = IsoWeek.of(LocalDate.parse("2026-11-11"));
    IsoWeek w47 = IsoWeek.of(LocalDate.parse("2026-11-16"));
    assertTrue(old.coversWeek(w45) && old.coversWeek(w46) && !old.coversWeek(w47));
    assertTrue(!now.coversWeek(w45) && now.coversWeek(w46) && now.coversWeek(w47));
    assertEquals(w46.start(), now.fromInclusive().orElseThrow());
    // a storage that ended before the request begins leaves it empty; no dates change nothing
    ArchiveRequest last = ArchiveRequest.resolve(WeekSelection.LAST_WEEK, null, null, java.time.Instant.parse("2026-12-03T10:00:00Z"), List.of());
    assertTrue(last.within(null, LocalDate.parse("2026-06-01")).isEmpty());
    assertEquals(last, last.within(null, null));
  }
}
