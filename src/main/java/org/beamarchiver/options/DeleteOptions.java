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

  @Description(
      "Files tables: a folder or object-store prefix (the recycle bin) each source file is copied to and"
          + " verified in before it is removed from the source (sync, never move); 'purge' empties it later."
          + " Must lie outside the table's location and the archive root.")
  String getRecycleRoot();

  void setRecycleRoot(String value);

  @Description("Rows checked and deleted concurrently per worker thread.")
  @Default.Integer(128)
  Integer getDeleteConcurrency();

  void setDeleteConcurrency(Integer value);
}
