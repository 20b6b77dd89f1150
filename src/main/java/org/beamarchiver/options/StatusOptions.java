package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of the {@code status} command. It reads only the ledger, but takes the source and store
 * options (and ignores them), so that one set of connection options serves every command.
 */
public interface StatusOptions
    extends TableSpecOptions, CassandraSourceOptions, JdbcSourceOptions, LedgerOptions, ArchiveStoreOptions, PeriodOptions {
  @Description("How many of the table's latest jobs to show.")
  @Default.Integer(10)
  Integer getJobs();

  void setJobs(Integer value);

  @Description("Print JSON instead of tables.")
  @Default.Boolean(false)
  Boolean getJson();

  void setJson(Boolean value);

  @Description(
      "Also write the status as one self-contained HTML page to this file (a grid of batches by ISO"
          + " weeks, the latest jobs' timelines, verify results, the lease); it loads nothing from the"
          + " network, so it opens offline and can be published as it is.")
  String getHtml();

  void setHtml(String value);
}
