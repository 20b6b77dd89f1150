package org.beamarchiver.io.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import org.beamarchiver.io.source.Family;
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

  private static final org.apache.beam.sdk.metrics.Counter RELATED_RESTORED =
      org.apache.beam.sdk.metrics.Metrics.counter("restore", "relatedRowsRestored");

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

  /**
   * A cascade's restore: one transaction per parent ({@link JdbcFamilyRestore}), on one connection
   * for the partition. A failure stops the partition: the families before it stay restored (a
   * rerun, idempotent, finishes it).
   */
  @Override
  public PartitionRestore write(ArchivedPartition p, Iterator<SourceRow> rows, Family.Rows family) {
    if (family == null) {
      return write(p, rows);
    }
    long parents = 0;
    long kept = 0;
    try (Connection c = database.open()) {
      c.setAutoCommit(false);
      try (JdbcFamilyRestore restore = new JdbcFamilyRestore(c, (JdbcFamily) family.family())) {
        while (rows.hasNext()) {
          String[] parent = rows.next().values();
          JdbcFamilyRestore.Counts n = restore.restore(c, parent, family.ofParent(parent));
          parents += n.parent();
          kept += 1 - n.parent();
          RELATED_RESTORED.inc(n.related());
        }
      }
      family.checkAllRead(p.partition());
      return new PartitionRestore(p, parents, kept, 0, 0, null);
    } catch (SQLException | RuntimeException e) {
      LOG.warn("partition {} not restored whole: {}", p.partition(), e.toString());
      return new PartitionRestore(
          p, parents, kept, 0, 0,
          "JDBC write failed after " + (parents + kept) + " famil(ies) restored (the failing one rolled back): " + e.getMessage());
    }
  }

  @Override
  public void close() {}
}
