package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Which table a command works on. */
public interface TableSpecOptions extends PipelineOptions {
  @Description("Path to the table spec YAML (see pipelines/).")
  @Default.String("pipelines/assessment.yaml")
  String getTableSpec();

  void setTableSpec(String value);
}
