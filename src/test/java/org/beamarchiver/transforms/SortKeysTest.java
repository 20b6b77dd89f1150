package org.beamarchiver.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SortKeysTest {
  private static byte[] key(String... v) {
    int[] cols = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      cols[i] = i;
    }
    return SortKeys.of(v, cols);
  }

  private static int cmp(byte[] a, byte[] b) {
    return Integer.signum(Arrays.compareUnsigned(a, b));
  }

  @Test
  void ordersColumnByColumn() {
    assertEquals(-1, cmp(key("a", "z"), key("b", "a")));
    assertEquals(-1, cmp(key("a", "b"), key("ab", "a")), "shorter first column sorts first");
    assertEquals(-1, cmp(key(null, "z"), key("", "a")), "null before empty");
    assertEquals(-1, cmp(key("", "z"), key("a", "a")));
  }

  @Test
  void separatorsInValuesDoNotCollide() {
    assertNotEquals(0, cmp(key("a\u0000", "b"), key("a", "\u0000b")));
    assertNotEquals(0, cmp(key("a\u0001", "b"), key("a", "\u0001b")));
    assertEquals(-1, cmp(key("a"), key("a\u0000")));
    assertEquals(-1, cmp(key("a\u0000"), key("a\u0001")));
    assertEquals(-1, cmp(key("a\u0001"), key("a\u0002")));
  }

  @Test
  void orderMatchesStringOrderForAscii() {
    List<String> words = new ArrayList<>(List.of("b", "a", "ab", "abc", "B", "_", "9", "a b"));
    List<String> sorted = new ArrayList<>(words);
    sorted.sort(String::compareTo);
    words.sort((x, y) -> Arrays.compareUnsigned(key(x), key(y)));
    assertEquals(sorted, words);
    assertTrue(cmp(key("é"), key("z")) > 0, "UTF-8 byte order for non-ASCII");
  }
}
