package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ColumnMetadata;
import com.datastax.driver.core.ConsistencyLevel;
import com.datastax.driver.core.DataType;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.TableMetadata;
import com.datastax.driver.core.UserType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.io.source.GuardedDeleter;
import org.beamarchiver.io.source.LiveSource;
import org.beamarchiver.io.source.ReadPlan;
import org.beamarchiver.io.source.RestoreWriter;
import org.beamarchiver.io.source.SliceScanner;
import org.beamarchiver.io.source.Throttle;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.options.CassandraSourceOptions;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.spec.TableSpec;

/**
 * A table in Cassandra: read over token ranges (CassandraIO, or the driver slice by slice),
 * deleted under the write-time guard ({@link GuardedDelete}), restored read-before-write
 * ({@link RestoreTarget}).
 *
 * @param splits --cassandraSplits (0: from the table's size estimates)
 */
public record CassandraSource(TableSpec spec, CassandraConnection connection, int splits) implements LiveSource {

  public static CassandraSource of(TableSpec spec, CassandraSourceOptions o) {
    Integer splits = o.getCassandraSplits();
    if (splits == null || splits < 0 || splits > 1 << 16) {
      throw new IllegalArgumentException("--cassandraSplits=" + splits + " is out of range; allowed 0.." + (1 << 16));
    }
    return new CassandraSource(spec, CassandraConnection.from(o), splits);
  }

  @Override
  public Outage outage() {
    return connection.outage();
  }

  @Override
  public List<String> checkGuard(String command, String keyspace) {
    return GuardConsistency.check(connection, keyspace, command);
  }

  @Override
  public SourceTable resolve() {
    try (Cluster cluster = connection.newCluster()) {
      return CassandraTable.resolve(cluster, spec);
    }
  }

  @Override
  public ReadPlan planRead(ArchiveRequest request) {
    try (Cluster cluster = connection.newCluster()) {
      CassandraTable table = CassandraTable.resolve(cluster, spec);
      int n = CassandraTable.splits(cluster, spec, splits);
      return new ReadPlan(table, n, CassandraTable.tokenRanges(Math.max(1, n)), "token ranges");
    }
  }

  @Override
  public PTransform<PBegin, PCollection<SourceRow>> readRows(ReadPlan plan, Set<String> batchIds) {
    return new ReadCassandraRows(connection, spec, (CassandraTable) plan.table(), plan.splits());
  }

  @Override
  public boolean scansSlices() {
    return true;
  }

  @Override
  public SliceScanner openScanner(SourceTable table) {
    return new CassandraScanner(connection, spec, (CassandraTable) table);
  }

  @Override
  public GuardedDeleter openDeleter(SourceTable table, DeleteHook hook, int concurrency, Throttle throttle) {
    return new CassandraDeleter(connection, spec, (CassandraTable) table, hook, concurrency, throttle);
  }

  @Override
  public String defaultRestoreTable() {
    return spec.table();
  }

  @Override
  public String describeTarget(String keyspace, String table) {
    return keyspace + "." + table;
  }

  /** The target's columns, types and key against the archive's and this (the source) table's key. */
  @Override
  public String restoreIncompatibility(TableSpec target, List<Map.Entry<String, String>> columns) {
    try (Cluster cluster = connection.newCluster();
        Session session = cluster.connect()) {
      TableMetadata source = CassandraTable.metadata(cluster, spec.keyspace(), spec.table());
      List<String> partitionKey =
          source == null ? null : source.getPartitionKey().stream().map(c -> c.getName()).toList();
      List<String> clustering =
          source == null ? spec.primaryKey() : source.getClusteringColumns().stream().map(c -> c.getName()).toList();
      return RestoreTarget.incompatibility(session, target.keyspace(), target.table(), columns, partitionKey, clustering);
    }
  }

  @Override
  public RestoreWriter openWriter(TableSpec target, int concurrency, Throttle throttle) {
    return new CassandraRestoreWriter(connection, target, concurrency, throttle);
  }

  /** A filtered scan over the token ring, in 64 slices. */
  @Override
  public void readBatch(SourceTable table, String batchId, SliceScanner.RowSink sink) throws IOException {
    CassandraTable t = (CassandraTable) table;
    Session session = CassandraSessions.acquire(connection);
    try {
      TableMetadata metadata = CassandraTable.metadata(session.getCluster(), spec.keyspace(), spec.table());
      String pk = metadata.getPartitionKey().stream().map(c -> CassandraTable.quote(c.getName())).collect(Collectors.joining(", "));
      PreparedStatement scan =
          session.prepare(
              t.selectCql() + " WHERE token(" + pk + ") > ? AND token(" + pk + ") <= ? AND "
                  + CassandraTable.quote(spec.batchColumn()) + " = ? ALLOW FILTERING");
      scan.setConsistencyLevel(ConsistencyLevel.valueOf(connection.consistency()));
      SourceRowMapper mapper = new SourceRowMapper(session, t.layout(), t.writeTimeColumns());
      for (KV<Long, Long> slice : CassandraTable.tokenRanges(64)) {
        Iterator<SourceRow> rows = mapper.map(session.execute(scan.bind(slice.getKey(), slice.getValue(), batchId)));
        while (rows.hasNext()) {
          sink.row(rows.next());
        }
      }
    } finally {
      CassandraSessions.release(connection);
    }
  }

  @Override
  public List<String> elementFields(String column) {
    try (Cluster cluster = connection.newCluster()) {
      TableMetadata metadata = CassandraTable.metadata(cluster, spec.keyspace(), spec.table());
      ColumnMetadata c = metadata == null ? null : metadata.getColumn(CassandraTable.quote(column));
      DataType type = c == null ? null : c.getType();
      if (type == null || !type.isCollection() || type.getName() == DataType.Name.MAP
          || !(type.getTypeArguments().get(0) instanceof UserType element)) {
        throw new IllegalArgumentException(
            "table spec report.expand '" + column + "' must be an archived list or set of a user type; it is "
                + (type == null ? "not a column" : type));
      }
      List<String> fields = new ArrayList<>();
      for (UserType.Field f : element) {
        fields.add(f.getName());
      }
      return fields;
    }
  }
}
