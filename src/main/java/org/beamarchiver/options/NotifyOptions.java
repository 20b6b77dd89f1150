package org.beamarchiver.options;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where a run's outcome is sent when it ends (archive, delete, restore, purge, verify). */
public interface NotifyOptions extends PipelineOptions {
  @Description(
      "An http(s) URL that receives one JSON POST when the run ends (repeat the option for several):"
          + " the job, its final state and exit code, counts, the failed or refused partitions with their"
          + " reasons, and a 'text' field for a chat tool (a Slack-compatible incoming webhook takes the"
          + " body as it is). Retried with backoff; a notification that cannot be delivered is logged and"
          + " never changes the run's outcome. The URL's path and query (tokens) are never logged.")
  List<String> getNotifyUrl();

  void setNotifyUrl(List<String> value);

  @Description("When --notifyUrl is sent: FAILURE (a run that did not complete cleanly: exit code not 0) or ALWAYS.")
  @Default.String("FAILURE")
  String getNotifyOn();

  void setNotifyOn(String value);
}
