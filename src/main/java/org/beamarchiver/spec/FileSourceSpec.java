package org.beamarchiver.spec;

import java.io.Serializable;

/**
 * A table kept as files ({@code source.kind: files}): where its files are, and how a file's date,
 * which decides its ISO week, is found.
 *
 * @param location the folder holding the table's files: a local path or any Beam file system URI
 *     ({@code s3://bucket/prefix}, {@code azfs://...}); files are named by their path relative to it
 * @param partitionDate {@value #MODIFIED} (each file's own modification time), or the form of the
 *     path segment that holds the partition's date, with {@code {date}} standing for {@code
 *     yyyy-MM-dd}: {@code dt={date}} for Hive-style {@code dt=2026-11-09/} folders
 */
public record FileSourceSpec(String location, String partitionDate) implements Serializable {
  /** partitionDate's value for "the file's modification time". */
  public static final String MODIFIED = "modified";

  /** The placeholder for the date in a partitionDate pattern. */
  public static final String DATE = "{date}";

  /** Whether files are dated by their modification time rather than by a path segment. */
  public boolean byModificationTime() {
    return MODIFIED.equals(partitionDate);
  }
}
