package org.beamarchiver.ledger;

/** A partition's {@code archival_status} (and an {@code archival_history} row's), stored by name. */
public enum ArchiveStatus {
  SUCCESS,
  FAILED,
  /** Written ahead of a partition's object: a run is writing it (see {@code pending_blob_url}). */
  PENDING,
  /** An archive replaced by a forced re-archive (in {@code archival_history}). */
  SUPERSEDED
}
