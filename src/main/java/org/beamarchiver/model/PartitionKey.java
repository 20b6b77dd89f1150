package org.beamarchiver.model;

import java.io.Serializable;

/** The unit of archiving: one batch in one ISO week. One partition gives one file and one ledger row. */
public record PartitionKey(String batchId, int isoYear, int isoWeek)
    implements Serializable, Comparable<PartitionKey> {

  public static PartitionKey of(String batchId, IsoWeek week) {
    return new PartitionKey(batchId, week.year(), week.week());
  }

  public IsoWeek week() {
    return new IsoWeek(isoYear, isoWeek);
  }

  /** The ledger's period column, {@code YYYY-Www}. */
  public String period() {
    return week().toString();
  }

  @Override
  public int compareTo(PartitionKey o) {
    int c = batchId.compareTo(o.batchId);
    return c != 0 ? c : week().compareTo(o.week());
  }

  @Override
  public String toString() {
    return batchId + "/" + period();
  }
}
