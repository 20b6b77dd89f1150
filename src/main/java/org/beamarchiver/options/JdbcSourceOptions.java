package org.beamarchiver.options;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How to reach the database that holds the live table of a table spec with {@code source.kind: jdbc}. */
public interface JdbcSourceOptions extends PipelineOptions {
  @Description(
      "JDBC URL of the live table's database, for table specs with source.kind jdbc"
          + " (PostgreSQL: jdbc:postgresql://host:port/db).")
  String getSourceJdbcUrl();

  void setSourceJdbcUrl(String value);

  @Description("User name for --sourceJdbcUrl (optional).")
  String getSourceJdbcUsername();

  void setSourceJdbcUsername(String value);

  @Description(
      "Password for --sourceJdbcUrl (optional). Prefer the SOURCE_JDBC_PASSWORD environment"
          + " variable: a command line is visible to other users of the machine. Never logged.")
  @JsonIgnore
  String getSourceJdbcPassword();

  void setSourceJdbcPassword(String value);

  @Description(
      "Number of time-column ranges a JDBC source is read in, in parallel (JdbcIO's readAll over"
          + " equal slices of the requested period, plus one read of rows without a time).")
  @Default.Integer(64)
  Integer getJdbcSplits();

  void setJdbcSplits(Integer value);
}
