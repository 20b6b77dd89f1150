package org.beamarchiver.model;

import java.io.Serializable;

/**
 * The live table as the pipelines see it, whatever holds it (Cassandra, a JDBC database): the
 * archived columns in file order, checked against the table spec at launch.
 */
public interface SourceTable extends Serializable {
  RowLayout layout();
}
