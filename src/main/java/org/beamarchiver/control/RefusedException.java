package org.beamarchiver.control;

/** The request cannot be carried out safely in the ledger's present state; nothing was changed. */
public final class RefusedException extends RuntimeException {
  public RefusedException(String message) {
    super(message);
  }
}
