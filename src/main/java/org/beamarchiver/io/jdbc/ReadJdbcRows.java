package org.beamarchiver.io.jdbc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.SourceRowCoder;

/**
 * Reads a JDBC source's rows in parallel with JdbcIO: the requested period cut into equal slices
 * of the time column, spread over workers and each read with {@code WHERE time >= ? AND time < ?}
 * (the database filters, and an index on the time column serves it), plus one read of the rows
 * without a time, which the keying sends to the dead letters. Each slice is read through a cursor
 * (JdbcIO turns auto-commit off and sets a fetch size), so no worker holds more than a fetch.
 */
public final class ReadJdbcRows extends PTransform<PBegin, PCollection<SourceRow>> {
  private static final int FETCH_SIZE = 5_000;

  private final JdbcEndpoint connection;
  private final JdbcTable table;
  private final List<KV<Long, Long>> ranges;
  private final List<String> batchIds;

  /** Most batch ids named in the read's SQL; a longer list is filtered by the keying instead. */
  public static final int MAX_BATCHES_IN_SQL = 1000;

  /**
   * @param ranges slices [from, to) of the time column in epoch milliseconds ({@link #slices})
   * @param batchIds the request's batch ids (empty: every batch), pushed into the SQL when few
   */
  public ReadJdbcRows(
      JdbcEndpoint connection, JdbcTable table, List<KV<Long, Long>> ranges, java.util.Collection<String> batchIds) {
    this.connection = connection;
    this.table = table;
    this.ranges = List.copyOf(ranges);
    this.batchIds = batchIds.size() <= MAX_BATCHES_IN_SQL ? List.copyOf(batchIds) : List.of();
  }

  /** {@code n} equal slices [from, to) covering [from, to); none when the window is empty. */
  public static List<KV<Long, Long>> slices(Instant from, Instant to, int n) {
    List<KV<Long, Long>> out = new ArrayList<>();
    if (from == null || to == null || !from.isBefore(to)) {
      return out;
    }
    long lo = from.toEpochMilli();
    long hi = to.toEpochMilli();
    long width = Math.max(1, (hi - lo + n - 1) / Math.max(1, n));
    for (long a = lo; a < hi; a += width) {
      out.add(KV.of(a, Math.min(hi, a + width)));
    }
    return out;
  }

  static JdbcIO.DataSourceConfiguration dataSource(JdbcEndpoint c, String driverClass) {
    JdbcIO.DataSourceConfiguration config = JdbcIO.DataSourceConfiguration.create(driverClass, c.url());
    if (c.username() != null) {
      config = config.withUsername(c.username());
    }
    if (c.password() != null) {
      config = config.withPassword(c.password());
    }
    return config;
  }

  @Override
  public PCollection<SourceRow> expand(PBegin input) {
    JdbcIO.DataSourceConfiguration ds = dataSource(connection, table.driverClass());
    JdbcTable t = table;
    List<String> batches = batchIds;
    PCollection<SourceRow> ranged =
        input
            .apply("TimeRanges", Create.of(ranges).withCoder(KvCoder.of(VarLongCoder.of(), VarLongCoder.of())))
            .apply("SpreadRanges", Reshuffle.viaRandomKey())
            .apply(
                "ReadTimeRanges",
                JdbcIO.<KV<Long, Long>, SourceRow>readAll()
                    .withDataSourceConfiguration(ds)
                    .withQuery(t.rangeSql(batches.size()))
                    .withParameterSetter(
                        (range, ps) -> {
                          t.bindTime(ps, 1, Instant.ofEpochMilli(range.getKey()));
                          t.bindTime(ps, 2, Instant.ofEpochMilli(range.getValue()));
                          for (int i = 0; i < batches.size(); i++) {
                            ps.setObject(3 + i, batches.get(i), java.sql.Types.OTHER); // cast to the column type by the database
                          }
                        })
                    .withRowMapper(new JdbcRowText(t))
                    .withFetchSize(FETCH_SIZE)
                    .withOutputParallelization(false)
                    .withCoder(SourceRowCoder.of()));
    PCollection<SourceRow> noTime =
        input.apply(
            "ReadRowsWithoutTime",
            JdbcIO.<SourceRow>read()
                .withDataSourceConfiguration(ds)
                .withQuery(t.noTimeSql(batches.size()))
                .withStatementPreparator(
                    ps -> {
                      for (int i = 0; i < batches.size(); i++) {
                        ps.setObject(1 + i, batches.get(i), java.sql.Types.OTHER);
                      }
                    })
                .withRowMapper(new JdbcRowText(t))
                .withFetchSize(FETCH_SIZE)
                .withOutputParallelization(false)
                .withCoder(SourceRowCoder.of()));
    return PCollectionList.of(ranged).and(noTime).apply("AllRows", Flatten.pCollections());
  }
}
