package org.beamarchiver.control;

/** Another run holds the table's lease; nothing was changed. */
public final class LeaseHeldException extends RuntimeException {
  public LeaseHeldException(String message) {
    super(message);
  }
}
