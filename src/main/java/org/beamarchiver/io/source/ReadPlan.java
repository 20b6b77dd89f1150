package org.beamarchiver.io.source;

import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.values.KV;
import org.beamarchiver.model.SourceTable;

/**
 * The table as resolved for a read, and how the read is split: {@code slices} as (from, to) pairs of longs whose meaning the source gives
 * (Cassandra: token ranges (lo, hi]; JDBC: time-column slices [from, to) in epoch millis).
 *
 * @param table the live table, resolved against the spec
 * @param splits the number of splits asked of the runner's IO
 * @param unit what a slice is, for the run file ("token ranges", "time slices")
 * @param family the table's related tables archived with it (a cascade), or null
 */
public record ReadPlan(SourceTable table, int splits, List<KV<Long, Long>> slices, String unit, Family family)
    implements Serializable {
  public ReadPlan {
    slices = List.copyOf(slices);
  }

  public ReadPlan(SourceTable table, int splits, List<KV<Long, Long>> slices, String unit) {
    this(table, splits, slices, unit, null);
  }

  /** "64 token ranges". */
  public String describe() {
    return splits + " " + unit;
  }
}
