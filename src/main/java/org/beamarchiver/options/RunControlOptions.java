package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** One run at a time per table, and retries of recoverable errors (archive and delete). */
public interface RunControlOptions extends NotifyOptions, MetricsOptions {
  @Description(
      "Seconds a run's lease on its table lasts without renewal. A live run renews it every third"
          + " of this; a run that died blocks others at most this long.")
  @Default.Integer(300)
  Integer getLeaseSeconds();

  void setLeaseSeconds(Integer value);

  @Description(
      "Seconds to wait for another run on the same table to finish before giving up (exit code 4)."
          + " 0: give up at once.")
  @Default.Integer(0)
  Integer getWaitForLeaseSeconds();

  void setWaitForLeaseSeconds(Integer value);

  @Description(
      "Times a run is retried after a recoverable error (timeouts, overload, lost connections);"
          + " each retry resumes, skipping what is done.")
  @Default.Integer(2)
  Integer getMaxRetries();

  void setMaxRetries(Integer value);

  @Description("Seconds before the first retry; doubled for each further retry.")
  @Default.Integer(10)
  Integer getRetryBackoffSeconds();

  void setRetryBackoffSeconds(Integer value);
}
