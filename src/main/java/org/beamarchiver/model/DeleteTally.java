package org.beamarchiver.model;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.Map;

/** Counts of {@link DeleteOutcome}s for one partition, and the first failure seen. */
public final class DeleteTally implements Serializable {
  private final EnumMap<DeleteOutcome, Long> counts = new EnumMap<>(DeleteOutcome.class);
  private String firstError;
  private String verificationError;

  /** The archive failed verification: nothing of the partition was touched. */
  public static DeleteTally unverified(String reason) {
    DeleteTally t = new DeleteTally();
    t.verificationError = reason;
    return t;
  }

  /** Null when the archive verified. */
  public String verificationError() {
    return verificationError;
  }

  public DeleteTally add(DeleteOutcome o, String error) {
    counts.merge(o, 1L, Long::sum);
    if (error != null && firstError == null) {
      firstError = error;
    }
    return this;
  }

  public DeleteTally merge(DeleteTally other) {
    other.counts.forEach((k, v) -> counts.merge(k, v, Long::sum));
    if (firstError == null) {
      firstError = other.firstError;
    }
    return this;
  }

  public long get(DeleteOutcome o) {
    return counts.getOrDefault(o, 0L);
  }

  public long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  public String firstError() {
    return firstError;
  }

  public Map<DeleteOutcome, Long> counts() {
    return Map.copyOf(counts);
  }
}
