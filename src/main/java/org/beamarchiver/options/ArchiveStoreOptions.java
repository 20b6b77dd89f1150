package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where archive files go, and how they are written. */
public interface ArchiveStoreOptions extends PipelineOptions {
  @Description(
      "Archive root: a local path or any Beam filesystem URI (s3://bucket/prefix, gs://...)."
          + " Files go to <root>/archived-batches/<type>/.")
  @Default.String("archive")
  String getArchiveRoot();

  void setArchiveRoot(String value);

  @Description("gzip level of archive files, 1 (fastest) to 9 (smallest).")
  @Default.Integer(6)
  Integer getGzipLevel();

  void setGzipLevel(Integer value);

  @Description(
      "Memory (MB) for sorting one partition by primary key before it spills to local disk.")
  @Default.Integer(128)
  Integer getSortMemoryMb();

  void setSortMemoryMb(Integer value);
}
