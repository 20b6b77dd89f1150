package org.beamarchiver.model;

/** How a launch selects weeks (--period); not to be confused with a partition's period, its ISO week. */
public enum WeekSelection {
  /** The last complete ISO week before {@code --asOf}. */
  LAST_WEEK,
  /** The last {@code --weeks} complete ISO weeks before {@code --asOf}. */
  LAST_N_WEEKS,
  /** The ISO week holding {@code --date}, if it has ended. */
  DATE,
  /** Every complete week before the week holding {@code --asOf}. */
  ALL
}
