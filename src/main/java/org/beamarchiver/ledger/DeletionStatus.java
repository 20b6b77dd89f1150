package org.beamarchiver.ledger;

/** A partition's {@code deletion_status}, stored by name; null while no delete has started. */
public enum DeletionStatus {
  SUCCESS,
  FAILED,
  /** A delete started (or left rows in doubt): the next run checks its rows in repair mode. */
  PENDING
}
