package org.beamarchiver.io.source;

import com.google.common.util.concurrent.RateLimiter;

/**
 * A worker's share of a rows-per-second limit on a live store ({@code --maxReadsPerSecond}, {@code
 * --maxDeletesPerSecond}, {@code --maxWritesPerSecond} divided among the run's workers): taken
 * before rows are sent; {@link #NONE} when there is no limit.
 */
public final class Throttle {
  /** No limit. */
  public static final Throttle NONE = new Throttle(null);

  private final RateLimiter limiter;

  private Throttle(RateLimiter limiter) {
    this.limiter = limiter;
  }

  /** At most {@code rows} rows per second; 0 or less: no limit. */
  public static Throttle perSecond(double rows) {
    return rows > 0 ? new Throttle(RateLimiter.create(rows)) : NONE;
  }

  /** Waits until {@code rows} more rows may be sent. */
  public void acquire(int rows) {
    if (limiter != null) {
      limiter.acquire(rows);
    }
  }
}
