package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the {@code report} command. */
public interface ReportOptions
    extends TableSpecOptions, CassandraSourceOptions,
        JdbcSourceOptions, LedgerOptions, ArchiveStoreOptions, SigningOptions {
  @Description("The batch to report on (required).")
  String getBatchId();

  void setBatchId(String value);

  @Description("First day (YYYY-MM-DD, UTC, inclusive) of the time column to report; default: no lower bound.")
  String getFrom();

  void setFrom(String value);

  @Description("Last day (YYYY-MM-DD, UTC, inclusive) of the time column to report; default: no upper bound.")
  String getTo();

  void setTo(String value);

  @Description("Where the report CSV goes (a local path or a filesystem URI; a name ending .gz is gzipped). Required.")
  String getOutput();

  void setOutput(String value);

  @Description("One report row per element of the table spec's report.expand column (per question), its fields as columns.")
  @Default.Boolean(false)
  Boolean getPerQuestion();

  void setPerQuestion(Boolean value);

  @Description(
      "Write the report even when an archive the ledger lists is missing or fails verification; the"
          + " summary and <output>.lacking.txt say what the report lacks, and the exit code is 3.")
  @Default.Boolean(false)
  Boolean getAllowMissingArchives();

  void setAllowMissingArchives(Boolean value);

  @Description(
      "Instead of rows, one row per parent of the batch with its summary (a table spec with a summary):"
          + " live parents' aggregates computed over their live families, archived and deleted ones' summary"
          + " rows, then the batch's totals over both.")
  @Default.Boolean(false)
  Boolean getSummaries();

  void setSummaries(Boolean value);

  @Description("Memory (MB) for merging archived and live rows by primary key before it spills to local disk.")
  @Default.Integer(128)
  Integer getSortMemoryMb();

  void setSortMemoryMb(Integer value);
}
