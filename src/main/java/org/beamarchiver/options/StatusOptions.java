package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the {@code status} command. */
public interface StatusOptions extends TableSpecOptions, LedgerOptions, PeriodOptions {
  @Description("How many of the table's latest jobs to show.")
  @Default.Integer(10)
  Integer getJobs();

  void setJobs(Integer value);

  @Description("Print JSON instead of tables.")
  @Default.Boolean(false)
  Boolean getJson();

  void setJson(Boolean value);
}
