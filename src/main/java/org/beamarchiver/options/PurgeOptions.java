package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the {@code purge} command: which table's recycle bin, and how old what it removes must be. */
public interface PurgeOptions extends TableSpecOptions, LedgerOptions, ArchiveStoreOptions, RunControlOptions {
  @Description(
      "Required. Remove the recycle folders whose last files were recycled at least this many days ago"
          + " (0: all of them).")
  Integer getOlderThanDays();

  void setOlderThanDays(Integer value);

  @Description("List what would be purged; remove nothing.")
  @Default.Boolean(false)
  Boolean getDryRun();

  void setDryRun(Boolean value);
}
