package org.beamarchiver.tools;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.beamarchiver.options.CassandraSourceOptions;

/** Options of the {@code sample} command. */
public interface SampleOptions extends CassandraSourceOptions {
  @Description("Rows to generate.")
  @Default.Long(2000)
  Long getRows();

  void setRows(Long value);

  @Description("Number of distinct batches.")
  @Default.Integer(4)
  Integer getBatches();

  void setBatches(Integer value);

  @Description(
      "Number of ISO weeks the rows span, ending with the week holding --asOf (which is"
          + " unfinished, so its rows are never archived).")
  @Default.Integer(4)
  Integer getWeeks();

  void setWeeks(Integer value);

  @Description("Rows with a null time column (they go to the archive's dead letters).")
  @Default.Integer(3)
  Integer getDeadLetterRows();

  void setDeadLetterRows(Integer value);

  @Description("Random seed: the same seed gives the same rows.")
  @Default.Long(42)
  Long getSeed();

  void setSeed(Long value);

  @Description("The instant treated as now (ISO-8601); default the real clock.")
  String getAsOf();

  void setAsOf(String value);

  @Description("Concurrent inserts in flight.")
  @Default.Integer(256)
  Integer getInFlight();

  void setInFlight(Integer value);
}
