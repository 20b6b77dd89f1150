package org.beamarchiver.retry;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The named points between a job's ordered steps (docs/files.md#order-of-steps), where the kill
 * tests stop a run the way {@code kill -9} does: with the system property {@value #PROPERTY} set to
 * {@code <point>} or {@code <point>:<n>}, the process halts (no shutdown hooks, nothing flushed,
 * exit 137) the first or n-th time any worker reaches the point. Unset, a point costs one property
 * read.
 */
public final class Crash {
  public static final String PROPERTY = "beam-archiver.crashAt";

  private static final ConcurrentHashMap<String, AtomicInteger> REACHED = new ConcurrentHashMap<>();

  private Crash() {}

  /** Marks that a worker reached {@code point}; halts the process there if the property says so. */
  public static void point(String point) {
    String at = System.getProperty(PROPERTY);
    if (at == null) {
      return;
    }
    int colon = at.indexOf(':');
    String name = colon < 0 ? at : at.substring(0, colon);
    if (!name.equals(point)) {
      return;
    }
    int n = colon < 0 ? 1 : Integer.parseInt(at.substring(colon + 1));
    if (REACHED.computeIfAbsent(point, p -> new AtomicInteger()).incrementAndGet() == n) {
      System.err.println("crash point " + point + " reached " + n + " time(s): halting");
      System.err.flush();
      Runtime.getRuntime().halt(137);
    }
  }
}
