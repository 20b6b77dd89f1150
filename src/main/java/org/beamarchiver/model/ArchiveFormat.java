package org.beamarchiver.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How an archive file is written. Readers tell the formats apart by the object's name, so a run
 * folder (and a ledger) may hold both.
 */
public enum ArchiveFormat {
  /** gzip CSV: a header, then each row's canonical texts (see {@code CsvLines}). */
  CSV_GZ(".csv.gz", "application/gzip"),
  /**
   * Apache Parquet: every archived column typed after the source's type (timestamps, numbers,
   * lists, maps, structs, ...), then {@code _writetime_micros} as an optional int64 (see {@code
   * ParquetRows}).
   */
  PARQUET(".parquet", "application/vnd.apache.parquet"),
  /**
   * SQLite: one database file per partition holding the parent table and every related table of a
   * cascade, each with its columns (integers as INTEGER, everything else the canonical text) and
   * {@code _writetime_micros}, rows inserted in archive order, fixed page size, vacuumed: the
   * same rows give the same bytes (see {@code SqliteArchive}).
   */
  SQLITE(".sqlite", "application/vnd.sqlite3");

  public static final ArchiveFormat DEFAULT = CSV_GZ;

  private final String suffix;
  private final String mimeType;

  ArchiveFormat(String suffix, String mimeType) {
    this.suffix = suffix;
    this.mimeType = mimeType;
  }

  /** The end of every object name of this format, e.g. {@code .csv.gz}. */
  public String suffix() {
    return suffix;
  }

  public String mimeType() {
    return mimeType;
  }

  /** The allowed values, as a user writes them: {@code CSV_GZ, PARQUET}. */
  public static String allowed() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }

  /**
   * A format by name (case-insensitive); {@code what} names the option or field in the message of
   * the {@link IllegalArgumentException} thrown for any other value.
   */
  public static ArchiveFormat parse(String value, String what) {
    if (value != null) {
      String v = value.trim().toUpperCase(Locale.ROOT);
      for (ArchiveFormat f : values()) {
        if (f.name().equals(v)) {
          return f;
        }
      }
    }
    throw new IllegalArgumentException(what + "=" + value + " is not valid; allowed: " + allowed());
  }

  /** The format of an archive object, by its name; empty for a name of no format. */
  public static java.util.Optional<ArchiveFormat> ofObject(String name) {
    if (name != null) {
      for (ArchiveFormat f : values()) {
        if (name.endsWith(f.suffix)) {
          return java.util.Optional.of(f);
        }
      }
    }
    return java.util.Optional.empty();
  }
}
