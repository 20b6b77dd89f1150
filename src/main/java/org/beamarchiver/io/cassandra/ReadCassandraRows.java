package org.beamarchiver.io.cassandra;

import org.apache.beam.sdk.io.cassandra.CassandraIO;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.SourceRowCoder;
import org.beamarchiver.spec.TableSpec;

/**
 * Reads every row of a Cassandra table with CassandraIO, split over token ranges, as {@link
 * SourceRow}s: the archived columns as canonical text plus the newest write time of each row.
 */
public final class ReadCassandraRows extends PTransform<PBegin, PCollection<SourceRow>> {
  private final CassandraConnection connection;
  private final TableSpec spec;
  private final CassandraTable table;
  private final int splits;

  public ReadCassandraRows(
      CassandraConnection connection, TableSpec spec, CassandraTable table, int splits) {
    this.connection = connection;
    this.spec = spec;
    this.table = table;
    this.splits = splits;
  }

  @Override
  public PCollection<SourceRow> expand(PBegin input) {
    CassandraIO.Read<SourceRow> read =
        CassandraIO.<SourceRow>read()
            .withHosts(connection.hosts())
            .withPort(connection.port())
            .withLocalDc(connection.localDc())
            .withConsistencyLevel(connection.consistency())
            .withReadTimeout(connection.readTimeoutMillis())
            .withKeyspace(spec.keyspace())
            .withTable(spec.table())
            .withQuery(table.selectCql())
            .withMinNumberOfSplits(splits)
            .withEntity(SourceRow.class)
            .withCoder(SourceRowCoder.of())
            .withMapperFactoryFn(new SourceRowMapper.Factory(table.layout(), table.writeTimeColumns()));
    if (connection.username() != null) {
      read = read.withUsername(connection.username());
      if (connection.password() != null) {
        read = read.withPassword(connection.password());
      }
    }
    return input.apply("CassandraIO", read);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("table", spec.qualifiedTable()))
        .add(DisplayData.item("splits", splits))
        .add(DisplayData.item("query", table.selectCql()));
  }
}
