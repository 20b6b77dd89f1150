package org.beamarchiver.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class IsoWeekTest {
  @Test
  void isoWeekEdgesFollowIso8601() {
    assertEquals("2015-W53", IsoWeek.of(LocalDate.parse("2015-12-31")).toString());
    assertEquals("2015-W53", IsoWeek.of(LocalDate.parse("2016-01-03")).toString());
    assertEquals("2016-W01", IsoWeek.of(LocalDate.parse("2016-01-04")).toString());
    assertEquals("2020-W53", IsoWeek.of(LocalDate.parse("2021-01-03")).toString());
    assertEquals("2021-W01", IsoWeek.of(LocalDate.parse("2021-01-04")).toString());
    assertEquals("2019-W01", IsoWeek.of(LocalDate.parse("2018-12-31")).toString());
  }

  @Test
  void weeksAreUtcMondayToMonday() {
    IsoWeek w = IsoWeek.parse("2015-W53");
    assertEquals(Instant.parse("2015-12-28T00:00:00Z"), w.start());
    assertEquals(Instant.parse("2016-01-04T00:00:00Z"), w.end());
    assertEquals("2015-W53", IsoWeek.of(Instant.parse("2016-01-03T23:59:59.999Z")).toString());
    assertEquals("2016-W01", IsoWeek.of(Instant.parse("2016-01-04T00:00:00Z")).toString());
  }

  @Test
  void minusWeeksCrossesYears() {
    assertEquals("2015-W53", IsoWeek.parse("2016-W01").minusWeeks(1).toString());
    assertEquals("2020-W52", IsoWeek.parse("2021-W01").minusWeeks(2).toString());
  }

  @Test
  void parseRejectsOtherForms() {
    assertThrows(IllegalArgumentException.class, () -> IsoWeek.parse("2015-53"));
    assertThrows(IllegalArgumentException.class, () -> IsoWeek.parse("2015-W54"));
  }
}
