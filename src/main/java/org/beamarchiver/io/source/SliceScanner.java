package org.beamarchiver.io.source;

import java.io.IOException;
import org.apache.beam.sdk.values.KV;
import org.beamarchiver.model.SourceRow;

/** Reads one slice of a {@link ReadPlan} row by row, for one worker; closed in its teardown. */
public interface SliceScanner extends AutoCloseable {
  /** Receives the rows of a slice, in the order read. */
  interface RowSink {
    void row(SourceRow row) throws IOException;
  }

  /**
   * Reads the slice. Outages are ridden out up to the source's budget, resuming where the last
   * complete page ended: no row is read twice or missed.
   */
  void scan(KV<Long, Long> slice, RowSink sink) throws IOException;

  @Override
  void close();
}
