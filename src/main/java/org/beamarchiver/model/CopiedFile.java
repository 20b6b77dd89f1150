package org.beamarchiver.model;

import java.io.Serializable;

/**
 * A file of a files table and its copy in the archive.
 *
 * @param file the source file as listed
 * @param copy the copy's full name
 * @param sha256 the SHA-256 of the bytes copied (lower-case hex); null when the copy failed
 * @param error why the copy failed, or null
 */
public record CopiedFile(SourceFile file, String copy, String sha256, String error) implements Serializable {
  public boolean succeeded() {
    return error == null;
  }
}
