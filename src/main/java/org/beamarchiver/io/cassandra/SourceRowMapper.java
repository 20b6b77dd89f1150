package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.CodecRegistry;
import com.datastax.driver.core.ColumnDefinitions;
import com.datastax.driver.core.ProtocolVersion;
import com.datastax.driver.core.ResultSet;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import java.nio.ByteBuffer;
import java.util.Date;
import java.util.Iterator;
import java.util.concurrent.Future;
import org.apache.beam.sdk.io.cassandra.Mapper;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.model.SourceRow;

/**
 * Turns CassandraIO's result pages into {@link SourceRow}s, lazily: rows are decoded as the
 * iterator is consumed, so a token range is streamed, never held.
 */
public final class SourceRowMapper implements Mapper<SourceRow> {
  private static final Counter ROWS_READ = Metrics.counter("archive", "rowsRead");

  private final CodecRegistry registry;
  private final ProtocolVersion protocol;
  private final RowLayout layout;
  private final int writeTimes;
  /**
   * The column decoders of the latest result metadata seen. Rows are decoded on whatever thread
   * the driver answers on (the guarded delete's and the restore's callbacks run on its I/O threads,
   * one per connected node), so the decoders are built aside and published whole, never changed in
   * place: a thread sees either the previous set or the new one, complete.
   */
  private volatile Decoders decoders;

  /** Decoders of every archived column, for the result metadata {@code of}. */
  private record Decoders(ColumnDefinitions of, CellText[] columns) {}

  public SourceRowMapper(Session session, RowLayout layout, int writeTimes) {
    this.registry = session.getCluster().getConfiguration().getCodecRegistry();
    this.protocol = session.getCluster().getConfiguration().getProtocolOptions().getProtocolVersion();
    this.layout = layout;
    this.writeTimes = writeTimes;
  }

  @Override
  public Iterator<SourceRow> map(ResultSet resultSet) {
    Iterator<Row> rows = resultSet.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public SourceRow next() {
        SourceRow r = toSourceRow(rows.next());
        ROWS_READ.inc();
        return r;
      }
    };
  }

  /** One row of a result, decoded and counted as read. */
  public SourceRow read(Row row) {
    SourceRow r = toSourceRow(row);
    ROWS_READ.inc();
    return r;
  }

  SourceRow toSourceRow(Row row) {
    ColumnDefinitions columns = row.getColumnDefinitions();
    Decoders d = decoders;
    if (d == null || d.of() != columns) {
      CellText[] built = new CellText[layout.size()];
      for (int i = 0; i < built.length; i++) {
        built[i] = CellText.of(columns.getType(i), registry, protocol);
      }
      d = new Decoders(columns, built);
      decoders = d;
    }
    int n = layout.size();
    String[] values = new String[n];
    for (int i = 0; i < n; i++) {
      // From the bytes: a null cell is null (the driver would give an empty collection).
      values[i] = d.columns()[i].text(row.getBytesUnsafe(i));
    }
    Date time = row.getTimestamp(layout.time());
    long writeTime = SourceRow.NO_WRITE_TIME;
    for (int i = n; i < n + writeTimes; i++) {
      ByteBuffer w = row.getBytesUnsafe(i);
      if (w != null && w.remaining() == Long.BYTES) {
        writeTime = Math.max(writeTime, w.getLong(w.position()));
      }
    }
    return new SourceRow(values, time == null ? SourceRow.NO_TIME : time.getTime(), writeTime);
  }

  @Override
  public Future<Void> deleteAsync(SourceRow entity) {
    throw new UnsupportedOperationException("archive reads only");
  }

  @Override
  public Future<Void> saveAsync(SourceRow entity) {
    throw new UnsupportedOperationException("archive reads only");
  }

  /** The factory CassandraIO calls once per split on the worker. */
  @SuppressWarnings("rawtypes")
  static final class Factory implements SerializableFunction<Session, Mapper> {
    private final RowLayout layout;
    private final int writeTimes;

    Factory(RowLayout layout, int writeTimes) {
      this.layout = layout;
      this.writeTimes = writeTimes;
    }

    @Override
    public Mapper apply(Session session) {
      return new SourceRowMapper(session, layout, writeTimes);
    }
  }
}
