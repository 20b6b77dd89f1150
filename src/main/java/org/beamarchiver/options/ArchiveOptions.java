package org.beamarchiver.options;

/** Options of the {@code archive} command. */
public interface ArchiveOptions
    extends TableSpecOptions,
        CassandraSourceOptions,
        JdbcSourceOptions,
        LedgerOptions,
        ArchiveStoreOptions,
        ArchiveFileOptions,
        PeriodOptions,
        RunControlOptions,
        ResumeOptions,
        SigningOptions {
  @org.apache.beam.sdk.options.Description(
      "Upper bound on rows read per second from the live table by the whole run, 0 for no limit;"
          + " divided among the run's workers (the runner's parallelism). Protects the live cluster.")
  @org.apache.beam.sdk.options.Default.Integer(0)
  Integer getMaxReadsPerSecond();

  void setMaxReadsPerSecond(Integer value);
}
