package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the {@code restore} command: archive's request options, plus where rows go back to. */
public interface RestoreOptions
    extends TableSpecOptions,
        CassandraSourceOptions,
        JdbcSourceOptions,
        LedgerOptions,
        ArchiveStoreOptions,
        PeriodOptions,
        RunControlOptions,
        SigningOptions {
  @Description("Keyspace to restore into (default: the table spec's). Same cluster as --cassandraHosts.")
  String getTargetKeyspace();

  void setTargetKeyspace(String value);

  @Description("Table to restore into (default: the table spec's). It must have every archived column with its type, and the same primary key.")
  String getTargetTable();

  void setTargetTable(String value);

  @Description(
      "JDBC URL of a database to restore into instead of Cassandra (PostgreSQL: jdbc:postgresql://host:port/db);"
          + " --targetTable names the table there (schema.table allowed).")
  String getTargetJdbcUrl();

  void setTargetJdbcUrl(String value);

  @Description("User of --targetJdbcUrl (optional).")
  String getTargetJdbcUsername();

  void setTargetJdbcUsername(String value);

  @Description("Password of --targetJdbcUrl (optional). Prefer the TARGET_JDBC_PASSWORD environment variable. Never logged.")
  @com.fasterxml.jackson.annotation.JsonIgnore
  String getTargetJdbcPassword();

  void setTargetJdbcPassword(String value);

  @Description(
      "Files tables: the folder or object-store prefix the files go back under, each at its path relative to"
          + " the table's location (default: the table's own source.location).")
  String getTargetLocation();

  void setTargetLocation(String value);

  @Description("Rows written concurrently per worker thread.")
  @Default.Integer(128)
  Integer getRestoreConcurrency();

  void setRestoreConcurrency(Integer value);

  @Description(
      "Upper bound on row writes per second by the whole run, 0 for no limit; divided among the"
          + " run's workers (the runner's parallelism). Protects the live cluster.")
  @Default.Integer(0)
  Integer getMaxWritesPerSecond();

  void setMaxWritesPerSecond(Integer value);
}
