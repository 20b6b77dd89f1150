package org.beamarchiver.model;

import java.io.Serializable;

/**
 * One row of a verified archive file: the partition's ledger id, the row's archived values
 * (canonical text, null for null) and the newest write time its cells had when archived.
 */
public record RowToDelete(String partitionUuid, String[] values, long writeTimeMicros)
    implements Serializable {}
