package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of the {@code verify} command. It reads no source, but takes the source options (and
 * ignores them), so that one set of connection options or one options file serves every command.
 */
public interface VerifyOptions
    extends TableSpecOptions,
        CassandraSourceOptions,
        JdbcSourceOptions,
        LedgerOptions,
        ArchiveStoreOptions,
        PeriodOptions,
        SigningOptions,
        NotifyOptions {
  @Description("Also list objects in the type's archive folder that no ledger row knows (ORPHAN).")
  @Default.Boolean(true)
  Boolean getOrphans();

  void setOrphans(Boolean value);

  @Description("Print only the files that are not OK (and the summary).")
  @Default.Boolean(false)
  Boolean getProblemsOnly();

  void setProblemsOnly(Boolean value);
}
