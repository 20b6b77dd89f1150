package org.beamarchiver.ledger;

/** An {@code archival_restore} row's {@code status}, stored by name. */
public enum RestoreStatus {
  SUCCESS,
  FAILED
}
