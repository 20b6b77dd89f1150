package org.beamarchiver.io.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The list arithmetic of the guarded delete's heal on Cassandra 4.x. */
class GuardedDeleteListTest {
  @Test
  void elementsKeepTheirExactText() {
    assertEquals(List.of(), GuardedDelete.elements("[]"));
    assertEquals(
        List.of("{\"id\":\"a, ]\",\"duration\":12.345678901234567890123}", "null", "[1,2]", "\"x\"", "1E+3"),
        GuardedDelete.elements("[{\"id\":\"a, ]\",\"duration\":12.345678901234567890123}, null,[1,2] ,\"x\",1E+3]"));
    assertThrows(IllegalArgumentException.class, () -> GuardedDelete.elements("{\"a\":1}"));
    assertThrows(IllegalArgumentException.class, () -> GuardedDelete.elements("[1,2"));
  }

  @Test
  void overlapIsTheArchivedTailTheSurvivorsStartWith() {
    List<String> archived = List.of("a", "b", "c");
    assertEquals(3, GuardedDelete.overlap(archived, List.of("a", "b", "c")), "survived whole");
    assertEquals(1, GuardedDelete.overlap(archived, List.of("c")), "appended after the row: only it survived");
    assertEquals(2, GuardedDelete.overlap(archived, List.of("b", "c", "x")), "and a racing append after it");
    assertEquals(0, GuardedDelete.overlap(archived, List.of("x")), "only a racing append survived");
    assertEquals(0, GuardedDelete.overlap(archived, List.of("a")), "not the tail");
    assertEquals(0, GuardedDelete.overlap(List.of(), List.of("x")));
  }
}
