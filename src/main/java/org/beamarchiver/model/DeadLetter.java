package org.beamarchiver.model;

import java.io.Serializable;

/**
 * A row the archive could not place in a partition, with why. Never dropped: written to the run's
 * dead-letter file and counted.
 *
 * @param reason why the row was set aside
 * @param row the row as one CSV record (the archive's columns and write time)
 */
public record DeadLetter(String reason, String row) implements Serializable {}
