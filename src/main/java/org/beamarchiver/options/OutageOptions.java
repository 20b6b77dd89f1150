package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How long a run rides out an unreachable dependency before it gives up. */
public interface OutageOptions extends PipelineOptions {
  @Description(
      "Seconds a run rides out an unreachable ledger database (a failover), object store or"
          + " Cassandra quorum: each failed operation is tried again with backoff (1 s doubling to"
          + " 15 s) for up to this long before the run gives up on it; a rerun then resumes."
          +" 0: give up at the first failure.")
  @Default.Integer(180)
  Integer getMaxOutageSeconds();

  void setMaxOutageSeconds(Integer value);
}
