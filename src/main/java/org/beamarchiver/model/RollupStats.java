package org.beamarchiver.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Statistics of one partition, accumulated row by row as its file is written and kept in the
 * ledger as JSON: rows; exact distinct counts of the {@link Rollup#distinct} columns (nulls not
 * counted); count, min, max and mean of the non-null values of the {@link Rollup#numeric} columns.
 * Memory: the distinct values of one partition (not its rows).
 */
public final class RollupStats {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Rollup rollup;
  private long rows;
  private final List<Set<String>> distinct = new ArrayList<>();
  private final long[] count;
  private final double[] min;
  private final double[] max;
  private final double[] sum;
  private final long[] unparsable;

  public RollupStats(Rollup rollup) {
    this.rollup = rollup;
    for (int i = 0; i < rollup.distinct().size(); i++) {
      distinct.add(new HashSet<>());
    }
    int n = rollup.numeric().size();
    count = new long[n];
    min = new double[n];
    max = new double[n];
    sum = new double[n];
    unparsable = new long[n];
  }

  /** Adds one row, given its {@link Rollup#values}. */
  public void add(String[] values) {
    rows++;
    int d = distinct.size();
    for (int i = 0; i < d; i++) {
      if (values[i] != null) {
        distinct.get(i).add(values[i]);
      }
    }
    for (int i = 0; i < count.length; i++) {
      String v = values[d + i];
      if (v == null) {
        continue;
      }
      double x;
      try {
        x = Double.parseDouble(v);
      } catch (NumberFormatException e) {
        unparsable[i]++;
        continue;
      }
      if (count[i] == 0 || x < min[i]) {
        min[i] = x;
      }
      if (count[i] == 0 || x > max[i]) {
        max[i] = x;
      }
      sum[i] += x;
      count[i]++;
    }
  }

  /** The statistics as ordered maps, ready for JSON. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rows", rows);
    Map<String, Object> d = new LinkedHashMap<>();
    for (int i = 0; i < distinct.size(); i++) {
      d.put(rollup.distinct().get(i), (long) distinct.get(i).size());
    }
    out.put("distinct", d);
    Map<String, Object> n = new LinkedHashMap<>();
    for (int i = 0; i < count.length; i++) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("count", count[i]);
      s.put("min", count[i] == 0 ? null : min[i]);
      s.put("max", count[i] == 0 ? null : max[i]);
      s.put("mean", count[i] == 0 ? null : sum[i] / count[i]);
      if (unparsable[i] > 0) {
        s.put("unparsable", unparsable[i]);
      }
      n.put(rollup.numeric().get(i), s);
    }
    out.put("numeric", n);
    return out;
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(toMap());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads back what {@link #toJson} wrote (for status and reports). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parse(String json) {
    if (json == null || json.isEmpty()) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, LinkedHashMap.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("unreadable rollup statistics: " + e.getOriginalMessage());
    }
  }
}
