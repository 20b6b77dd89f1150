package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the {@code verify} command. */
public interface VerifyOptions
    extends TableSpecOptions, LedgerOptions, ArchiveStoreOptions, PeriodOptions, SigningOptions {
  @Description("Also list objects in the type's archive folder that no ledger row knows (ORPHAN).")
  @Default.Boolean(true)
  Boolean getOrphans();

  void setOrphans(Boolean value);

  @Description("Print only the files that are not OK (and the summary).")
  @Default.Boolean(false)
  Boolean getProblemsOnly();

  void setProblemsOnly(Boolean value);
}
