package org.beamarchiver.options;

/** Checks of option values before anything is touched; messages name the option and what is allowed. */
public final class Checks {
  private Checks() {}

  /** {@code value} must lie in [min, max]. */
  public static void range(String option, Integer value, int min, int max) {
    if (value == null || value < min || value > max) {
      throw new IllegalArgumentException(
          option + "=" + value + " is out of range; allowed " + min + ".." + max);
    }
  }
}
