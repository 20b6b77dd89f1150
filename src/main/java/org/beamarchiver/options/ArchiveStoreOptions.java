package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where archive files live. */
public interface ArchiveStoreOptions extends PipelineOptions {
  @Description(
      "Archive root: a local path or any Beam filesystem URI (s3://bucket/prefix, gs://...)."
          + " Files go to <root>/archived-batches/<type>/.")
  @Default.String("archive")
  String getArchiveRoot();

  void setArchiveRoot(String value);

  @Description(
      "s3:// roots: address buckets by path (http://endpoint/bucket/key) instead of by host name;"
          + " needed by most S3-compatible servers (with --endpoint). AWS S3 itself needs neither.")
  @Default.Boolean(false)
  Boolean getS3PathStyle();

  void setS3PathStyle(Boolean value);
}
