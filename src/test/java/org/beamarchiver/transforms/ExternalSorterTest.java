package org.beamarchiver.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalSorterTest {
  @TempDir Path dir;

  @Test
  void sortsMoreThanMemoryBySpillingAndCleansUp() throws Exception {
    Random r = new Random(7);
    int n = 50_000;
    long sumIn = 0;
    try (ExternalSorter s = new ExternalSorter(256 * 1024, dir)) {
      for (int i = 0; i < n; i++) {
        byte[] k = new byte[1 + r.nextInt(12)];
        r.nextBytes(k);
        byte[] v = ByteBuffer.allocate(4).putInt(i).array();
        sumIn += i;
        s.add(k, v);
      }
      assertTrue(s.spilledRuns() > 3, "spilled " + s.spilledRuns());
      Iterator<byte[][]> it = s.sorted();
      byte[] prev = null;
      int count = 0;
      long sumOut = 0;
      while (it.hasNext()) {
        byte[][] rec = it.next();
        if (prev != null) {
          assertTrue(Arrays.compareUnsigned(prev, rec[0]) <= 0);
        }
        prev = rec[0];
        sumOut += ByteBuffer.wrap(rec[1]).getInt();
        count++;
      }
      assertEquals(n, count);
      assertEquals(sumIn, sumOut, "every value comes back once");
    }
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "run files removed");
    }
  }

  @Test
  void inMemoryWhenSmall() throws Exception {
    try (ExternalSorter s = new ExternalSorter(1 << 20, dir)) {
      s.add(new byte[] {3}, new byte[] {30});
      s.add(new byte[] {(byte) 0xff}, new byte[] {99});
      s.add(new byte[] {1}, new byte[] {10});
      Iterator<byte[][]> it = s.sorted();
      assertArrayEquals(new byte[] {10}, it.next()[1]);
      assertArrayEquals(new byte[] {30}, it.next()[1]);
      assertArrayEquals(new byte[] {99}, it.next()[1], "unsigned order: 0xff last");
      assertEquals(0, s.spilledRuns());
    }
  }
}
