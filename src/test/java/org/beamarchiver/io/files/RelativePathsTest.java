package org.beamarchiver.io.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A file's name within its table, and the names that could place its copy outside the archive. */
class RelativePathsTest {
  @Test
  void aFileIsNamedByItsPathUnderTheLocation() {
    assertEquals("dt=2026-11-09/a b.csv", RelativePaths.of("s3://lake/events", "s3://lake/events/dt=2026-11-09/a b.csv"));
    assertEquals("dt=2026-11-09/a", RelativePaths.of("s3://lake/events/", "s3://lake/events/dt=2026-11-09/a"));
    assertEquals("批次/ü.parquet", RelativePaths.of("/data/t", "/data/t/批次/ü.parquet"));
    assertEquals("s3://b", RelativePaths.location("s3://b/"));
    assertEquals("s3://", RelativePaths.location("s3://"));
  }

  @Test
  void aFileOutsideTheLocationOrWithAnUnsafeNameIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> RelativePaths.of("/data/t", "/data/table2/a"));
    assertThrows(IllegalArgumentException.class, () -> RelativePaths.of("/data/t", "/data/t/"));
    for (String bad : new String[] {"../x", "a/../../x", "a/./b", "a//b", "/a", "a/", "..", "a\\..\\b", "a\nb"}) {
      assertTrue(RelativePaths.problem(bad) != null, bad);
      assertThrows(IllegalArgumentException.class, () -> RelativePaths.of("s3://lake/t", "s3://lake/t/" + bad), bad);
    }
    for (String good : new String[] {"a", "..a", "a..", "a/...", "dt=2026-01-01/x y", "%2e%2e/x"}) {
      assertNull(RelativePaths.problem(good), good);
    }
  }
}
