package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of the {@code purge} command: which table's recycle bin, and how old what it removes must
 * be. It takes every command's connection options (so one options file serves them all), not a
 * period: what it removes is chosen by age.
 */
public interface PurgeOptions
    extends TableSpecOptions,
        CassandraSourceOptions,
        JdbcSourceOptions,
        LedgerOptions,
        ArchiveStoreOptions,
        RunControlOptions,
        SigningOptions {
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
