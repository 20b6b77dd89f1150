package org.beamarchiver.io.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CqlTextTest {
  @Test
  void handFormattedTimestampsEqualTheFormatter() {
    long[] edges = {
      0L, -1L, 1L, 999L, -999L, -1000L, 951_782_400_000L /* 2000-02-29 */,
      Instant.parse("0000-01-01T00:00:00Z").toEpochMilli(),
      Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli(),
      Instant.parse("-0001-12-31T23:59:59.999Z").toEpochMilli(),
      Instant.parse("+10000-01-01T00:00:00Z").toEpochMilli(),
      Instant.parse("2020-12-31T23:59:59.999Z").toEpochMilli()
    };
    for (long ms : edges) {
      assertEquals(CqlText.TIMESTAMP.format(Instant.ofEpochMilli(ms)), CqlText.timestamp(ms), "ms " + ms);
    }
    Random random = new Random(1);
    for (int i = 0; i < 100_000; i++) {
      long ms = random.nextLong() % 400_000_000_000_000L;
      assertEquals(CqlText.TIMESTAMP.format(Instant.ofEpochMilli(ms)), CqlText.timestamp(ms), "ms " + ms);
    }
  }

  @Test
  void collectionsAreJsonAndDatesCanonical() {
    Date d = Date.from(Instant.parse("2021-01-04T10:15:30.250Z"));
    assertEquals("2021-01-04T10:15:30.250Z", CqlText.of(d));
    assertEquals("[\"a\\\"b\",\"2021-01-04T10:15:30.250Z\"]", CqlText.of(List.of("a\"b", d)));
    assertEquals("{\"k\":1.5}", CqlText.of(Map.of("k", 1.5)));
    assertEquals("[[1,\"x\"]]", CqlText.of(Map.of(1, "x")));
  }
}
