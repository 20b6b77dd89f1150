package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Which tables a command works on. */
public interface TableSpecOptions extends PipelineOptions {
  @Description(
      "Path to the table spec YAML (see pipelines/); or a comma list of them, or a folder of them (*.yaml, *.yml):"
          + " each table is its own job with its own lease, the tables run in parallel and the exit code is the"
          + " worst of theirs. A spec with lifecycles runs a job per storage, lifecycles in their order;"
          + " spec.yaml#<lifecycle>/<storage> names one.")
  @Default.String("pipelines/assessment.yaml")
  String getTableSpec();

  void setTableSpec(String value);

  @Description("Specs with lifecycles: work on this lifecycle only (restore requires it).")
  String getLifecycle();

  void setLifecycle(String value);

  @Description("Specs with lifecycles: work on this storage of the lifecycles only.")
  String getStorage();

  void setStorage(String value);
}
