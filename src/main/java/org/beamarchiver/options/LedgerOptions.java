package org.beamarchiver.options;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Where the ledger (archival_metadata) lives, and how long an outage of it (or of the other
 * servers a run needs) is ridden out.
 */
public interface LedgerOptions extends OutageOptions {
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
