package org.beamarchiver.io.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.io.source.Family;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.retry.Recoverable;
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

  private static final org.apache.beam.sdk.metrics.Counter RELATED_DELETED =
      org.apache.beam.sdk.metrics.Metrics.counter("delete", "relatedRowsDeleted");

  private final JdbcEndpoint database;
  private final DeleteHook hook;
  private final Outage outage;
  private final JdbcGuardedDelete guard;
  private Connection connection;
  private final Throttle throttle;

  JdbcDeleter(JdbcEndpoint database, JdbcTable table, DeleteHook hook, Throttle throttle, Outage outage) {
    this.outage = outage;
    this.database = database;
    this.guard = new JdbcGuardedDelete(table, hook);
    this.hook = hook;
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

  /**
   * A cascade's delete: parent by parent, the family's archived rows gathered from the members'
   * files (which hold them in the parents' order), checked and deleted in one transaction each
   * ({@link JdbcFamilyDelete}); a transaction that fails because the database is away is tried
   * again after a backoff, up to the source's outage budget.
   */
  @Override
  public DeleteTally delete(
      ArchivedPartition p, Iterator<SourceRow> rows, Family.Rows family, boolean dryRun, WriteAhead writeAhead)
      throws Exception {
    if (family == null) {
      return delete(p, rows, dryRun, writeAhead);
    }
    JdbcFamily f = (JdbcFamily) family.family();
    JdbcFamilyDelete guard = new JdbcFamilyDelete(f, hook);
    try {
      return deleteFamilies(p, rows, family, dryRun, f, guard);
    } finally {
      guard.close();
    }
  }

  private DeleteTally deleteFamilies(
      ArchivedPartition p, Iterator<SourceRow> rows, Family.Rows family, boolean dryRun, JdbcFamily f,
      JdbcFamilyDelete guard) throws Exception {
    DeleteTally tally = new DeleteTally();
    while (rows.hasNext()) {
      String[] parent = rows.next().values();
      String key = f.rootKey(parent);
      List<List<SourceRow>> archived = family.ofParent(parent);
      throttle.acquire(1);
      // A database that is away (a failover, a restart) is waited for, up to the source's outage
      // budget, family by family: past it the run gives up and a rerun resumes.
      JdbcFamilyDelete.Result result;
      Outage.Rounds rounds = outage.rounds();
      while (true) {
        try {
          if (connection == null || connection.isClosed()) {
            connection = database.open();
          }
          result = guard.apply(connection, parent, archived, dryRun);
        } catch (java.sql.SQLException e) {
          if (!Recoverable.is(e)) {
            throw e;
          }
          result = new JdbcFamilyDelete.Result(new RowResult(DeleteOutcome.FAILED, e.toString(), true), 0);
        }
        RowResult r = result.parent();
        if (r.outcome() != DeleteOutcome.FAILED || !r.recoverable()) {
          break;
        }
        close();
        rounds.next("delete the family of " + key + " (partition " + p.partition() + ")", r.error());
      }
      tally.add(result.parent().outcome(), result.parent().error());
      if (result.parent().outcome() == DeleteOutcome.DELETED) {
        RELATED_DELETED.inc(result.relatedRows());
      }
    }
    family.checkAllRead(p.partition());
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
