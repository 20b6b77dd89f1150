package org.beamarchiver.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where a run's metrics go when it ends, in the Prometheus text format. */
public interface MetricsOptions extends PipelineOptions {
  @Description(
      "A local file the run's metrics are written to when it ends (atomically: written beside it, then"
          + " renamed), in the Prometheus text format, as node_exporter's textfile collector reads it:"
          + " rows, partitions by outcome, duration, exit code, and per table and kind the time of the last"
          + " successful run. Labels: table, kind, and outcome or what.")
  String getMetricsFile();

  void setMetricsFile(String value);

  @Description(
      "A Prometheus Pushgateway (http://host:9091) the same metrics are pushed to when the run ends,"
          + " grouped by job beam_archiver, table and kind. A push that fails is logged and never changes the"
          + " run's outcome.")
  String getPushgatewayUrl();

  void setPushgatewayUrl(String value);
}
