package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.ConsistencyLevel;
import com.datastax.driver.core.PagingState;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.ResultSet;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.TableMetadata;
import java.io.IOException;
import java.util.stream.Collectors;
import org.apache.beam.sdk.values.KV;
import org.beamarchiver.io.source.SliceScanner;
import org.beamarchiver.spec.TableSpec;

/** Reads slices of the Murmur3 token ring with the driver, page by page, for one worker. */
final class CassandraScanner implements SliceScanner {
  private final CassandraConnection connection;
  private final Session session;
  private final PreparedStatement range;
  private final SourceRowMapper mapper;

  CassandraScanner(CassandraConnection connection, TableSpec spec, CassandraTable table) {
    this.connection = connection;
    this.session = CassandraSessions.acquire(connection);
    this.range = prepareRange(session, connection, spec, table);
    this.mapper = new SourceRowMapper(session, table.layout(), table.writeTimeColumns());
  }

  /**
   * Reads one token slice page by page. A page that fails on a timeout, a lost node or a missing
   * quorum is asked for again from where the last complete page ended (the driver's paging state),
   * with backoff, through an outage of up to the budget: no row is read twice or missed.
   */
  @Override
  public void scan(KV<Long, Long> slice, RowSink sink) throws IOException {
    // Murmur3 never gives a partition the minimum token, so (min, x] misses nothing.
    String what = "read token range (" + slice.getKey() + ", " + slice.getValue() + "]";
    ResultSet page = connection.outage().call(what, () -> session.execute(range.bind(slice.getKey(), slice.getValue())));
    while (true) {
      for (int n = page.getAvailableWithoutFetching(); n > 0; n--) {
        sink.row(mapper.read(page.one()));
      }
      if (page.isFullyFetched()) {
        return;
      }
      PagingState next = page.getExecutionInfo().getPagingState();
      page =
          connection.outage().call(
              what,
              () -> session.execute(range.bind(slice.getKey(), slice.getValue()).setPagingState(next)));
    }
  }

  @Override
  public void close() {
    CassandraSessions.release(connection);
  }

  private static PreparedStatement prepareRange(
      Session session, CassandraConnection connection, TableSpec spec, CassandraTable table) {
    String partitioner = session.getCluster().getMetadata().getPartitioner();
    if (partitioner == null || !partitioner.endsWith("Murmur3Partitioner")) {
      throw new IllegalStateException(
          "the cluster's partitioner is " + partitioner + "; the DirectRunner's fused read needs"
              + " Murmur3Partitioner: use --shuffle=RUNNER (CassandraIO's read)");
    }
    TableMetadata t = session.getCluster().getMetadata().getKeyspace(spec.keyspace()).getTable(spec.table());
    String pk =
        t.getPartitionKey().stream().map(c -> CassandraTable.quote(c.getName())).collect(Collectors.joining(", "));
    PreparedStatement range =
        session.prepare(table.selectCql() + " WHERE token(" + pk + ") > ? AND token(" + pk + ") <= ?");
    range.setConsistencyLevel(ConsistencyLevel.valueOf(connection.consistency()));
    return range;
  }
}
