package org.beamarchiver.options;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the ledger (archival_metadata) lives. */
public interface LedgerOptions extends PipelineOptions {
  @Description(
      "JDBC URL of the ledger database: jdbc:postgresql://host:port/db in production; the"
          + " default is an embedded H2 database file under the working directory.")
  @Default.String("jdbc:h2:file:./beam-archiver-ledger")
  String getLedgerUrl();

  void setLedgerUrl(String value);

  @Description("Ledger database user (optional).")
  String getLedgerUsername();

  void setLedgerUsername(String value);

  @Description(
      "Ledger database password (optional). Prefer the LEDGER_PASSWORD environment variable."
          + " Never logged.")
  @JsonIgnore
  String getLedgerPassword();

  void setLedgerPassword(String value);
}
