package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How archive files are written. */
public interface ArchiveFileOptions extends PipelineOptions {
  @Description("gzip level of archive files, 1 (fastest) to 9 (smallest).")
  @Default.Integer(6)
  Integer getGzipLevel();

  void setGzipLevel(Integer value);

  @Description(
      "Format of the archive files: CSV_GZ (gzip CSV, files end .csv.gz) or PARQUET (Apache Parquet,"
          + " columns typed after the source's types plus an int64 _writetime_micros, files end .parquet)."
          + " Unset: the table spec's 'format:', else CSV_GZ.")
  String getFormat();

  void setFormat(String value);

  @Description(
      "Memory (MB) for sorting rows by primary key before they spill to local disk: per partition on"
          + " Flink and Dataflow, shared by the worker threads of the DirectRunner's fused read.")
  @Default.Integer(128)
  Integer getSortMemoryMb();

  void setSortMemoryMb(Integer value);

  @Description(
      "How a partition's rows are brought together: RUNNER (the runner's GroupByKey: Flink,"
          + " Dataflow), SPILL (sorted run files under <archiveRoot>/_tmp, merged per partition:"
          + " bounded memory on one machine), AUTO (SPILL on the DirectRunner, RUNNER elsewhere).")
  @Default.String("AUTO")
  String getShuffle();

  void setShuffle(String value);
}
