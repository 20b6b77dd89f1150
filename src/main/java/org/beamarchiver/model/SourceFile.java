package org.beamarchiver.model;

import java.io.Serializable;

/**
 * A file of a files table as its file system lists it.
 *
 * @param path its path relative to the table's location ({@code /}-separated)
 * @param uri its full name in its file system
 * @param bytes its size
 * @param modifiedMillis its modification time (0: the file system did not say)
 * @param sha256 the SHA-256 its bytes must have, when known (a file carried over from an earlier
 *     iteration's copy); else null
 */
public record SourceFile(String path, String uri, long bytes, long modifiedMillis, String sha256)
    implements Serializable {
  public static SourceFile listed(String path, String uri, long bytes, long modifiedMillis) {
    return new SourceFile(path, uri, bytes, modifiedMillis, null);
  }
}
