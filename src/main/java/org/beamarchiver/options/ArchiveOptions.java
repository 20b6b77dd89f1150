package org.beamarchiver.options;

/** Options of the {@code archive} command. */
public interface ArchiveOptions
    extends TableSpecOptions,
        CassandraSourceOptions,
        LedgerOptions,
        ArchiveStoreOptions,
        ArchiveFileOptions,
        PeriodOptions,
        RunControlOptions,
        ResumeOptions,
        SigningOptions {}
