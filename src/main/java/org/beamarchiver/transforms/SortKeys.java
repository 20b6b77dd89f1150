package org.beamarchiver.transforms;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Byte strings whose unsigned lexicographic order is the order of the primary key's canonical
 * text, column by column. A non-null column is 0x02, its UTF-8 bytes escaped (0x00 becomes 0x01
 * 0x01, 0x01 becomes 0x01 0x02) and a 0x00 terminator, so that a shorter value sorts first and no
 * two keys collide; a null column is the terminator alone and sorts before any text.
 */
public final class SortKeys {
  private SortKeys() {}

  public static byte[] of(String[] values, int[] columns) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    for (int c : columns) {
      String v = values[c];
      if (v != null) {
        out.write(0x02);
        for (byte b : v.getBytes(StandardCharsets.UTF_8)) {
          if (b == 0x00) {
            out.write(0x01);
            out.write(0x01);
          } else if (b == 0x01) {
            out.write(0x01);
            out.write(0x02);
          } else {
            out.write(b);
          }
        }
      }
      out.write(0x00);
    }
    return out.toByteArray();
  }
}
