package org.beamarchiver.io.source;

import java.util.Iterator;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.DeleteTally;
import org.beamarchiver.model.SourceRow;

/**
 * Deletes the rows of one verified archive file from the live table, each only if unchanged since
 * it was archived; one per worker, closed in its teardown.
 */
public interface GuardedDeleter extends AutoCloseable {
  /**
   * Records, before the first delete of a partition may land, that its delete has begun; returns
   * true when an earlier delete of it was interrupted (its rows are then checked in repair mode).
   */
  interface WriteAhead {
    boolean begin() throws Exception;
  }

  /**
   * Deletes {@code rows} (the verified file's, in key order) of partition {@code p}. Outages are
   * ridden out up to the source's budget; past it the run gives up ({@code Outage.GaveUpException}).
   * A source whose deletes cannot land half way (one transaction per group) may skip the
   * write-ahead.
   */
  DeleteTally delete(ArchivedPartition p, Iterator<SourceRow> rows, boolean dryRun, WriteAhead writeAhead)
      throws Exception;

  /**
   * Deletes {@code rows} of partition {@code p} with their related tables' rows {@code family}
   * (null for a table archived alone): each parent and its family together, only if none of it
   * changed since archiving. Counts are per parent row.
   */
  default DeleteTally delete(
      ArchivedPartition p, Iterator<SourceRow> rows, Family.Rows family, boolean dryRun, WriteAhead writeAhead)
      throws Exception {
    if (family != null) {
      throw new UnsupportedOperationException("this source archives no related tables");
    }
    return delete(p, rows, dryRun, writeAhead);
  }

  @Override
  void close();
}
