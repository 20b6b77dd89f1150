package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Which weeks and batches a launch covers. */
public interface PeriodOptions extends PipelineOptions {
  @Description(
      "LAST_WEEK | LAST_N_WEEKS (with --weeks) | DATE (with --date: the ISO week holding it) |"
          + " ALL (every complete week). A week that has not ended is never included.")
  @Default.String("LAST_WEEK")
  String getPeriod();

  void setPeriod(String value);

  @Description("Number of complete weeks for --period=LAST_N_WEEKS.")
  Integer getWeeks();

  void setWeeks(Integer value);

  @Description("A date YYYY-MM-DD for --period=DATE.")
  String getDate();

  void setDate(String value);

  @Description("Comma-separated batch ids; restricts the run to those batches.")
  String getBatchIds();

  void setBatchIds(String value);

  @Description(
      "The instant treated as now (ISO-8601, e.g. 2024-03-11T00:00:00Z); default the real clock.")
  String getAsOf();

  void setAsOf(String value);
}
