package org.beamarchiver.io.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.io.source.GuardedDeleter;
import org.beamarchiver.io.source.RowResult;
import org.beamarchiver.io.source.Throttle;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.DeleteOutcome;
import org.beamarchiver.model.DeleteTally;
import org.beamarchiver.model.RowToDelete;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.sql.JdbcEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JDBC table's guarded delete for one worker: groups of archived rows checked and deleted in one
 * transaction each ({@link JdbcGuardedDelete}), on one connection kept for the worker's life; a
 * group that fails on a transient error is tried again, twice. A group lands whole or not at all,
 * so no write-ahead is needed.
 */
final class JdbcDeleter implements GuardedDeleter {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcDeleter.class);
  /** Rows of a JDBC source checked and deleted in one transaction. */
  static final int GROUP = 200;

  private final JdbcEndpoint database;
  private final JdbcGuardedDelete guard;
  private Connection connection;
  private final Throttle throttle;

  JdbcDeleter(JdbcEndpoint database, JdbcTable table, DeleteHook hook, Throttle throttle) {
    this.database = database;
    this.guard = new JdbcGuardedDelete(table, hook);
    this.throttle = throttle;
  }

  @Override
  public DeleteTally delete(ArchivedPartition p, Iterator<SourceRow> rows, boolean dryRun, WriteAhead writeAhead)
      throws Exception {
    DeleteTally tally = new DeleteTally();
    List<RowToDelete> group = new ArrayList<>();
    while (rows.hasNext()) {
      SourceRow r = rows.next();
      group.add(new RowToDelete(null, r.values(), r.writeTimeMicros()));
      if (group.size() == GROUP || !rows.hasNext()) {
        throttle.acquire(group.size());
        List<RowResult> results = null;
        for (int attempt = 1; ; attempt++) {
          if (connection == null || connection.isClosed()) {
            connection = database.open();
          }
          results = guard.apply(connection, group, dryRun);
          RowResult first = results.get(0);
          if (attempt == 3 || first.outcome() != DeleteOutcome.FAILED || !first.recoverable()) {
            break;
          }
          LOG.warn("retrying a group of {} row(s) after a recoverable error: {}", group.size(), first.error());
          close();
          Thread.sleep(1000L * attempt);
        }
        results.forEach(res -> tally.add(res.outcome(), res.error()));
        group = new ArrayList<>();
      }
    }
    return tally;
  }

  @Override
  public void close() {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // reopened on the next try, or gone with the worker
    }
    connection = null;
  }
}
