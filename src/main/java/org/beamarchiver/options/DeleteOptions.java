package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the {@code delete} command: the same request options as archive, plus its own. */
public interface DeleteOptions
    extends TableSpecOptions,
        CassandraSourceOptions,
        JdbcSourceOptions,
        LedgerOptions,
        ArchiveStoreOptions,
        PeriodOptions,
        RunControlOptions,
        SigningOptions {
  @Description("Verify and report what would be deleted, per partition; delete nothing.")
  @Default.Boolean(false)
  Boolean getDryRun();

  void setDryRun(Boolean value);

  @Description(
      "Upper bound on row deletes per second by the whole run, 0 for no limit; divided among the"
          + " run's workers (the runner's parallelism). Protects the live cluster.")
  @Default.Integer(0)
  Integer getMaxDeletesPerSecond();

  void setMaxDeletesPerSecond(Integer value);

  @Description("Rows checked and deleted concurrently per worker thread.")
  @Default.Integer(128)
  Integer getDeleteConcurrency();

  void setDeleteConcurrency(Integer value);
}
