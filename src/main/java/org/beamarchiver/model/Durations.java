package org.beamarchiver.model;

import java.time.Duration;

/** Durations as people read them: {@code 480 ms}, {@code 42 s}, {@code 2 min 5 s}, {@code 3 h 7 min}. */
public final class Durations {
  private Durations() {}

  public static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 1) {
      return d.toMillis() + " ms";
    }
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return s / 60 + " min " + s % 60 + " s";
    }
    return s / 3600 + " h " + (s % 3600) / 60 + " min";
  }
}
