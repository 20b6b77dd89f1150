package org.beamarchiver.io.source;

import java.util.Iterator;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.PartitionRestore;
import org.beamarchiver.model.SourceRow;

/**
 * Writes the rows of one verified archive file back into a target table, leaving rows the target
 * already holds as archived, or holds newer, as they are; one per worker, closed in its teardown.
 */
public interface RestoreWriter extends AutoCloseable {
  /**
   * Writes the rows of partition {@code p}. Outages are ridden out up to the source's budget; past
   * it the run gives up ({@code Outage.GaveUpException}) and a rerun (idempotent) finishes it.
   */
  PartitionRestore write(ArchivedPartition p, Iterator<SourceRow> rows) throws Exception;

  /**
   * Writes the rows of partition {@code p} with their related tables' rows {@code family} (null for
   * a table archived alone): each parent and its family together. Counts are per parent row.
   */
  default PartitionRestore write(ArchivedPartition p, Iterator<SourceRow> rows, Family.Rows family) throws Exception {
    if (family != null) {
      throw new UnsupportedOperationException("this target restores no related tables");
    }
    return write(p, rows);
  }

  @Override
  void close();
}
