package org.beamarchiver.io.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import org.beamarchiver.io.source.RestoreWriter;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.PartitionRestore;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.spec.TableSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes restored rows into a JDBC table ({@link JdbcRestoreTarget}): each partition in one
 * transaction on its own connection, so a partition is restored whole or rolled back.
 * --maxWritesPerSecond does not apply (one transaction per partition).
 */
final class JdbcRestoreWriter implements RestoreWriter {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcRestoreWriter.class);

  private final JdbcEndpoint database;
  private final TableSpec target;

  JdbcRestoreWriter(JdbcEndpoint database, TableSpec target) {
    this.database = database;
    this.target = target;
  }

  @Override
  public PartitionRestore write(ArchivedPartition p, Iterator<SourceRow> rows) {
    JdbcRestoreTarget jdbc =
        new JdbcRestoreTarget(target.table(), target.columns(), target.primaryKey(), target.timeColumn());
    try (Connection c = database.open()) {
      JdbcRestoreTarget.Counts n = jdbc.write(c, rows);
      return new PartitionRestore(p, n.written(), n.kept(), 0, 0, null);
    } catch (SQLException e) {
      LOG.warn("partition {} not restored: {}", p.partition(), e.toString());
      return new PartitionRestore(p, 0, 0, 0, 0, "JDBC write failed (rolled back): " + e.getMessage());
    }
  }

  @Override
  public void close() {}
}
