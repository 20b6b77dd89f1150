package org.beamarchiver.spec;

/** A table spec that cannot be used; the message names the file and the field. */
public class TableSpecException extends IllegalArgumentException {
  public TableSpecException(String message) {
    super(message);
  }
}
