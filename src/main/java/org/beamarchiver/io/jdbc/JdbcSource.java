package org.beamarchiver.io.jdbc;

import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.beamarchiver.options.JdbcSourceOptions;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.sql.JdbcEndpoint;

/**
 * A table in a JDBC database (PostgreSQL, H2): read over slices of its time column (JdbcIO),
 * deleted in transactions that lock and compare each row ({@link JdbcGuardedDelete}), restored in
 * one transaction per partition ({@link JdbcRestoreTarget}).
 *
 * @param database the database holding the table
 * @param splits --jdbcSplits: slices of the requested time window
 */
public record JdbcSource(TableSpec spec, JdbcEndpoint database, int splits, Outage outage) implements LiveSource {

  public static JdbcSource of(TableSpec spec, JdbcSourceOptions o, Outage outage) {
    Integer splits = o.getJdbcSplits();
    if (splits == null || splits < 1 || splits > 1 << 16) {
      throw new IllegalArgumentException("--jdbcSplits=" + splits + " is out of range; allowed 1.." + (1 << 16));
    }
    return new JdbcSource(spec, JdbcTable.connection(o), splits, outage);
  }

  /** Transactions need no particular consistency setting. */
  @Override
  public List<String> checkGuard(String command, String keyspace) {
    return List.of();
  }

  @Override
  public SourceTable resolve() throws Exception {
    try (Connection c = database.open()) {
      return JdbcTable.resolve(c, spec);
    }
  }

  /**
   * The spec's cascade resolved against the database (a cascade the database contradicts is refused
   * here: the archive's plan, the delete and the restore of a cascade ask for it before anything
   * changes), or null for a table archived alone.
   */
  @Override
  public JdbcFamily family(SourceTable table) throws Exception {
    if (!spec.isCascade()) {
      return null;
    }
    try (Connection c = database.open()) {
      return JdbcFamily.resolve(c, database, spec, (JdbcTable) table);
    }
  }

  /** The requested window, from its start or (ALL) the table's earliest time, in --jdbcSplits slices. */
  @Override
  public ReadPlan planRead(ArchiveRequest request) throws Exception {
    try (Connection c = database.open()) {
      JdbcTable table = JdbcTable.resolve(c, spec);
      JdbcFamily family = JdbcFamily.resolve(c, database, spec, table);
      Instant to = request.toExclusive().orElse(null);
      Instant from = request.fromInclusive().orElse(null);
      if (to != null && from == null) {
        from = table.earliestTime(c, to);
      }
      List<KV<Long, Long>> slices = ReadJdbcRows.slices(from, to, splits);
      return new ReadPlan(table, slices.size(), slices, "time slices", family);
    }
  }

  @Override
  public PTransform<PBegin, PCollection<SourceRow>> readRows(ReadPlan plan, Set<String> batchIds) {
    return new ReadJdbcRows(database, (JdbcTable) plan.table(), plan.slices(), batchIds);
  }

  /**
   * PostgreSQL's planner estimate (EXPLAIN, from the table's statistics) of the rows the slices and
   * the read of rows without a time return; empty for other databases or when EXPLAIN fails.
   */
  @Override
  public java.util.OptionalLong estimateRowsRead(ReadPlan plan, Set<String> batchIds) {
    JdbcTable table = (JdbcTable) plan.table();
    if (!"org.postgresql.Driver".equals(table.driverClass())) {
      return java.util.OptionalLong.empty();
    }
    List<String> batches = batchIds.size() <= ReadJdbcRows.MAX_BATCHES_IN_SQL ? List.copyOf(batchIds) : List.of();
    try (Connection c = database.open()) {
      long rows = 0;
      if (!plan.slices().isEmpty()) {
        rows += table.plannedRows(c, Instant.ofEpochMilli(plan.slices().get(0).getKey()),
            Instant.ofEpochMilli(plan.slices().get(plan.slices().size() - 1).getValue()), batches);
      }
      return java.util.OptionalLong.of(rows + table.plannedRows(c, null, null, batches));
    } catch (Exception e) {
      return java.util.OptionalLong.empty();
    }
  }

  /** JdbcIO reads the slices; there is no fused read. */
  @Override
  public boolean scansSlices() {
    return false;
  }

  @Override
  public SliceScanner openScanner(SourceTable table) {
    throw new UnsupportedOperationException("a JDBC source is read through JdbcIO (readRows)");
  }

  @Override
  public GuardedDeleter openDeleter(SourceTable table, DeleteHook hook, int concurrency, Throttle throttle) {
    return new JdbcDeleter(database, (JdbcTable) table, hook, throttle, outage);
  }

  /** The source's own table, {@code schema.table}. */
  @Override
  public String defaultRestoreTable() {
    return spec.keyspace() + "." + spec.table();
  }

  /** The URL without its parameters: they may hold credentials, and this goes to the ledger. */
  @Override
  public String describeTarget(String keyspace, String table) {
    return table + " in " + database.url().replaceFirst("[?;].*$", "");
  }

  /** The target table in this database against the archive's columns and the spec's key. */
  @Override
  public String restoreIncompatibility(TableSpec target, List<Map.Entry<String, String>> columns) throws Exception {
    try (Connection c = database.open()) {
      return JdbcRestoreTarget.incompatibility(c, target.table(), columns, spec.primaryKey());
    }
  }

  @Override
  public RestoreWriter openWriter(TableSpec target, int concurrency, Throttle throttle) {
    return new JdbcRestoreWriter(database, target);
  }

  /** The batch's live rows, in one read-only statement (streamed, not held). */
  @Override
  public void readBatch(SourceTable table, String batchId, SliceScanner.RowSink sink) throws java.io.IOException {
    JdbcTable t = (JdbcTable) table;
    try (Connection c = database.open()) {
      c.setAutoCommit(false); // PostgreSQL streams a result only inside a transaction
      c.setReadOnly(true);
      try (java.sql.PreparedStatement ps =
          c.prepareStatement(t.selectSql() + " WHERE " + JdbcTable.quote(t.layout().batchColumn()) + " = ?")) {
        ps.setFetchSize(5_000);
        ps.setObject(1, batchId, java.sql.Types.OTHER);
        JdbcRowText text = new JdbcRowText(t);
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sink.row(text.mapRow(rs));
          }
        }
      } finally {
        c.rollback();
      }
    } catch (java.sql.SQLException e) {
      throw new java.io.IOException("cannot read the live rows of batch " + batchId + ": " + e.getMessage(), e);
    }
  }

  /** A JDBC table has no user types: --perQuestion does not apply. */
  @Override
  public List<String> elementFields(String column) {
    throw new IllegalArgumentException(
        "--perQuestion expands a list of a Cassandra user type; " + spec.qualifiedTable() + " is a JDBC table, whose"
            + " column " + column + " holds no user type");
  }
}
