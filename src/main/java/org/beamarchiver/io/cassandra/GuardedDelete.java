package org.beamarchiver.io.cassandra;

import com.datastax.driver.core.BatchStatement;
import com.datastax.driver.core.BoundStatement;
import com.datastax.driver.core.CodecRegistry;
import com.datastax.driver.core.ColumnMetadata;
import com.datastax.driver.core.DataType;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.ResultSet;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.TableMetadata;
import com.datastax.driver.core.TupleType;
import com.datastax.driver.core.TupleValue;
import com.datastax.driver.core.TypeCodec;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.beamarchiver.retry.Recoverable;
import org.beamarchiver.model.DeleteOutcome;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.model.RowToDelete;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.spec.TableSpec;

/**
 * Deletes one archived row only if it is unchanged since it was archived, without ever leaving it
 * mutilated. Per row:
 *
 * <ol>
 *   <li><b>Check</b>: read the row's archived columns and their write times by primary key. Absent:
 *       nothing to do. Any value or the newest write time differs from the archive: skip.
 *   <li><b>Delete</b> {@code USING TIMESTAMP W}, W being the archived newest write time: the
 *       tombstone removes only cells written at or before W, i.e. exactly the archived cells; any
 *       cell written later (a change racing the delete) survives.
 *   <li><b>Re-check</b> existence. If anything survived, a change raced the delete and the row
 *       may now lack the columns the change did not rewrite: <b>heal</b> it by writing the
 *       archived values back {@code USING TIMESTAMP W+1}, which is above the tombstone and below
 *       any racing write, so the row ends exactly as it would have without the delete. Counted as
 *       skipped-changed.
 * </ol>
 *
 * Rows that share a partition key (several attempts of one learner in one course) are handled as
 * a group: one read of exactly those rows ({@code (clustering...) IN ?}), one unlogged batch of their
 * deletes (a single mutation of one partition), one re-check read. Each row is still judged, deleted
 * and healed on its own.
 *
 * <p>Cost: two reads and one write per group of rows, all by primary key; no lightweight transaction
 * (measured at 0.13x the rate of a plain delete).
 */
public final class GuardedDelete {
  /** Called just before a row's DELETE is sent (tests use it to race the delete). */
  public interface Hook extends Serializable {
    void beforeDelete(String[] values);

    Hook NONE = values -> {};
  }

  /** The result of one row; {@code recoverable} when it FAILED on a timeout or overload. */
  public record Result(DeleteOutcome outcome, String error, boolean recoverable) {
    public Result(DeleteOutcome outcome, String error) {
      this(outcome, error, false);
    }

    static Result failed(Throwable t) {
      return new Result(DeleteOutcome.FAILED, t.toString(), Recoverable.is(t));
    }
  }

  private final Session session;
  private final RowLayout layout;
  private final int writeTimes;
  private final DataType[] types;
  private final int[] pk;
  private final TypeCodec<Object>[] keyCodecs;
  private final PreparedStatement selectCurrent;
  private final PreparedStatement delete;
  private final PreparedStatement exists;
  private final PreparedStatement heal;
  /** Number of partition-key columns: {@code pk[0..partitionKeys)}; the rest are clustering. */
  private final int partitionKeys;
  private final TupleType clusteringTuple;
  private final PreparedStatement selectGroup;
  private final PreparedStatement existsGroup;
  private final SourceRowMapper mapper;
  private final Hook hook;

  public GuardedDelete(Session session, TableSpec spec, CassandraTable table, Hook hook) {
    this.session = session;
    this.layout = table.layout();
    this.writeTimes = table.writeTimeColumns();
    this.hook = hook;
    TableMetadata meta =
        session.getCluster().getMetadata().getKeyspace(spec.keyspace()).getTable(spec.table());
    this.types = new DataType[layout.size()];
    for (int i = 0; i < layout.size(); i++) {
      ColumnMetadata c = meta.getColumn(layout.columns().get(i));
      types[i] = c.getType();
    }
    this.pk = layout.primaryKey();
    this.keyCodecs = keyCodecs(session, types, pk);
    List<String> where = new ArrayList<>();
    for (int i : pk) {
      where.add(CassandraTable.quote(layout.columns().get(i)) + " = ?");
    }
    String whereClause = " WHERE " + String.join(" AND ", where);
    String qualified = CassandraTable.quote(spec.keyspace()) + "." + CassandraTable.quote(spec.table());
    this.selectCurrent = session.prepare(table.selectCql() + whereClause);
    this.delete = session.prepare("DELETE FROM " + qualified + " USING TIMESTAMP ?" + whereClause);
    this.exists =
        session.prepare(
            "SELECT " + CassandraTable.quote(layout.columns().get(pk[0])) + " FROM " + qualified + whereClause);
    this.heal = session.prepare("INSERT INTO " + qualified + " JSON ? DEFAULT UNSET USING TIMESTAMP ?");
    this.mapper = new SourceRowMapper(session, layout, writeTimes);
    this.partitionKeys = meta.getPartitionKey().size();
    if (pk.length > partitionKeys) {
      List<String> partitionWhere = where.subList(0, partitionKeys);
      List<String> clustering = new ArrayList<>();
      List<DataType> clusteringTypes = new ArrayList<>();
      for (int k = partitionKeys; k < pk.length; k++) {
        clustering.add(CassandraTable.quote(layout.columns().get(pk[k])));
        clusteringTypes.add(types[pk[k]]);
      }
      String groupWhere =
          " WHERE " + String.join(" AND ", partitionWhere)
              + " AND (" + String.join(", ", clustering) + ") IN ?";
      this.clusteringTuple = session.getCluster().getMetadata().newTupleType(clusteringTypes);
      this.selectGroup = session.prepare(table.selectCql() + groupWhere);
      this.existsGroup =
          session.prepare("SELECT " + String.join(", ", clustering) + " FROM " + qualified + groupWhere);
    } else {
      this.clusteringTuple = null;
      this.selectGroup = null;
      this.existsGroup = null;
    }
  }

  /** Whether two rows share a partition, i.e. may be handled by one {@link #applyGroup} call. */
  public boolean samePartition(String[] a, String[] b) {
    for (int k = 0; k < partitionKeys; k++) {
      if (!java.util.Objects.equals(a[pk[k]], b[pk[k]])) {
        return false;
      }
    }
    return true;
  }

  /** Whether the table has clustering columns, so that a partition may hold several rows. */
  public boolean groups() {
    return selectGroup != null;
  }

  /**
   * Checks, deletes, re-checks and heals rows of one partition (see {@link #samePartition}); one
   * result per row, in order. Never fails.
   */
  public ListenableFuture<List<Result>> applyGroup(List<RowToDelete> rows, boolean dryRun) {
    if (rows.size() == 1 || !groups()) {
      List<ListenableFuture<Result>> each = new ArrayList<>();
      for (RowToDelete r : rows) {
        each.add(apply(r, dryRun));
      }
      return Futures.allAsList(each);
    }
    Result[] results = new Result[rows.size()];
    Object[][] keys = new Object[rows.size()][];
    List<Integer> pending = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      RowToDelete r = rows.get(i);
      if (r.writeTimeMicros() == SourceRow.NO_WRITE_TIME) {
        results[i] = new Result(DeleteOutcome.SKIPPED_NO_WRITE_TIME, null);
        continue;
      }
      try {
        keys[i] = key(r.values());
        pending.add(i);
      } catch (RuntimeException e) {
        results[i] = new Result(DeleteOutcome.FAILED, e.toString());
      }
    }
    if (pending.isEmpty()) {
      return Futures.immediateFuture(Arrays.asList(results));
    }
    ListenableFuture<List<Result>> chain;
    try {
      chain =
          Futures.transformAsync(
              session.executeAsync(bindGroup(selectGroup, keys, pending)),
              rs -> afterGroupCheck(rs, rows, keys, pending, results, dryRun),
              MoreExecutors.directExecutor());
    } catch (RuntimeException e) {
      chain = Futures.immediateFailedFuture(e);
    }
    return Futures.catching(
        chain,
        Throwable.class,
        t -> {
          for (int i : pending) {
            if (results[i] == null) {
              results[i] = Result.failed(t);
            }
          }
          return Arrays.asList(results);
        },
        MoreExecutors.directExecutor());
  }

  private ListenableFuture<List<Result>> afterGroupCheck(
      ResultSet rs, List<RowToDelete> rows, Object[][] keys, List<Integer> pending, Result[] results,
      boolean dryRun) {
    Map<List<String>, SourceRow> current = new HashMap<>();
    for (Row row : rs) {
      SourceRow now = mapper.toSourceRow(row);
      current.put(keyText(now.values()), now);
    }
    List<Integer> toDelete = new ArrayList<>();
    BatchStatement batch = new BatchStatement(BatchStatement.Type.UNLOGGED);
    for (int i : pending) {
      RowToDelete r = rows.get(i);
      SourceRow now = current.get(keyText(r.values()));
      if (now == null) {
        results[i] = new Result(DeleteOutcome.ABSENT, null);
      } else if (now.writeTimeMicros() != r.writeTimeMicros() || !Arrays.equals(now.values(), r.values())) {
        results[i] = new Result(DeleteOutcome.SKIPPED_CHANGED, null);
      } else if (dryRun) {
        results[i] = new Result(DeleteOutcome.WOULD_DELETE, null);
      } else {
        try {
          hook.beforeDelete(r.values());
          BoundStatement d = delete.bind();
          d.setLong(0, r.writeTimeMicros());
          batch.add(bindKey(d, 1, keys[i]));
          toDelete.add(i);
        } catch (RuntimeException e) {
          results[i] = new Result(DeleteOutcome.FAILED, e.toString());
        }
      }
    }
    if (toDelete.isEmpty()) {
      return Futures.immediateFuture(Arrays.asList(results));
    }
    return Futures.transformAsync(
        session.executeAsync(toDelete.size() == 1 ? batch.getStatements().iterator().next() : batch),
        ignored ->
            Futures.transformAsync(
                session.executeAsync(bindGroup(existsGroup, keys, toDelete)),
                after -> afterGroupDelete(after, rows, toDelete, results),
                MoreExecutors.directExecutor()),
        MoreExecutors.directExecutor());
  }

  private ListenableFuture<List<Result>> afterGroupDelete(
      ResultSet after, List<RowToDelete> rows, List<Integer> deleted, Result[] results) {
    Set<List<String>> survivors = new HashSet<>();
    for (Row row : after) {
      List<String> clustering = new ArrayList<>();
      for (int k = partitionKeys; k < pk.length; k++) {
        clustering.add(CqlText.of(row.getObject(k - partitionKeys)));
      }
      survivors.add(clustering);
    }
    List<ListenableFuture<Result>> heals = new ArrayList<>();
    for (int i : deleted) {
      RowToDelete r = rows.get(i);
      if (survivors.contains(clusteringText(r.values()))) {
        BoundStatement h = heal.bind();
        h.setString(0, json(r.values()));
        h.setLong(1, r.writeTimeMicros() + 1);
        int index = i;
        heals.add(
            Futures.transform(
                session.executeAsync(h),
                ignored -> results[index] = new Result(DeleteOutcome.SKIPPED_CHANGED, null),
                MoreExecutors.directExecutor()));
      } else {
        results[i] = new Result(DeleteOutcome.DELETED, null);
      }
    }
    return Futures.transform(
        Futures.allAsList(heals), ignored -> Arrays.asList(results), MoreExecutors.directExecutor());
  }

  private BoundStatement bindGroup(PreparedStatement ps, Object[][] keys, List<Integer> which) {
    BoundStatement s = ps.bind();
    Object[] first = keys[which.get(0)];
    for (int k = 0; k < partitionKeys; k++) {
      s.set(k, first[k], keyCodecs[k]);
    }
    List<TupleValue> tuples = new ArrayList<>(which.size());
    for (int i : which) {
      TupleValue t = clusteringTuple.newValue();
      for (int k = partitionKeys; k < pk.length; k++) {
        t.set(k - partitionKeys, keys[i][k], keyCodecs[k]);
      }
      tuples.add(t);
    }
    s.setList(partitionKeys, tuples, TupleValue.class);
    return s;
  }

  private List<String> keyText(String[] values) {
    List<String> key = new ArrayList<>(pk.length);
    for (int i : pk) {
      key.add(values[i]);
    }
    return key;
  }

  private List<String> clusteringText(String[] values) {
    List<String> key = new ArrayList<>(pk.length - partitionKeys);
    for (int k = partitionKeys; k < pk.length; k++) {
      key.add(values[pk[k]]);
    }
    return key;
  }

  /** Checks, deletes, re-checks and heals one row; in a dry run only checks. Never throws. */
  public ListenableFuture<Result> apply(RowToDelete row, boolean dryRun) {
    if (row.writeTimeMicros() == SourceRow.NO_WRITE_TIME) {
      return Futures.immediateFuture(new Result(DeleteOutcome.SKIPPED_NO_WRITE_TIME, null));
    }
    ListenableFuture<Result> chain;
    try {
      Object[] key = key(row.values());
      chain =
          Futures.transformAsync(
              session.executeAsync(bindKey(selectCurrent.bind(), 0, key)),
              rs -> afterCheck(rs, row, key, dryRun),
              MoreExecutors.directExecutor());
    } catch (RuntimeException e) {
      return Futures.immediateFuture(new Result(DeleteOutcome.FAILED, e.toString()));
    }
    return Futures.catching(
        chain,
        Throwable.class,
        t -> Result.failed(t),
        MoreExecutors.directExecutor());
  }

  private ListenableFuture<Result> afterCheck(
      ResultSet rs, RowToDelete row, Object[] key, boolean dryRun) {
    Row current = rs.one();
    if (current == null) {
      return Futures.immediateFuture(new Result(DeleteOutcome.ABSENT, null));
    }
    SourceRow now = mapper.toSourceRow(current);
    if (now.writeTimeMicros() != row.writeTimeMicros() || !Arrays.equals(now.values(), row.values())) {
      return Futures.immediateFuture(new Result(DeleteOutcome.SKIPPED_CHANGED, null));
    }
    if (dryRun) {
      return Futures.immediateFuture(new Result(DeleteOutcome.WOULD_DELETE, null));
    }
    hook.beforeDelete(row.values());
    BoundStatement d = delete.bind();
    d.setLong(0, row.writeTimeMicros());
    bindKey(d, 1, key);
    return Futures.transformAsync(
        session.executeAsync(d),
        ignored ->
            Futures.transformAsync(
                session.executeAsync(bindKey(exists.bind(), 0, key)),
                after -> afterDelete(after, row),
                MoreExecutors.directExecutor()),
        MoreExecutors.directExecutor());
  }

  private ListenableFuture<Result> afterDelete(ResultSet after, RowToDelete row) {
    if (after.one() == null) {
      return Futures.immediateFuture(new Result(DeleteOutcome.DELETED, null));
    }
    BoundStatement h = heal.bind();
    h.setString(0, json(row.values()));
    h.setLong(1, row.writeTimeMicros() + 1);
    return Futures.transform(
        session.executeAsync(h),
        ignored -> new Result(DeleteOutcome.SKIPPED_CHANGED, null),
        MoreExecutors.directExecutor());
  }

  /** The row's primary-key values as the driver's Java values, parsed once per row. */
  private Object[] key(String[] values) {
    Object[] key = new Object[pk.length];
    for (int k = 0; k < pk.length; k++) {
      key[k] = CqlValues.parse(types[pk[k]], values[pk[k]]);
    }
    return key;
  }

  private BoundStatement bindKey(BoundStatement s, int first, Object[] key) {
    for (int k = 0; k < key.length; k++) {
      s.set(first + k, key[k], keyCodecs[k]);
    }
    return s;
  }

  @SuppressWarnings("unchecked")
  private static TypeCodec<Object>[] keyCodecs(Session session, DataType[] types, int[] pk) {
    CodecRegistry registry = session.getCluster().getConfiguration().getCodecRegistry();
    TypeCodec<Object>[] codecs = new TypeCodec[pk.length];
    for (int k = 0; k < pk.length; k++) {
      codecs[k] = registry.codecFor(types[pk[k]]);
    }
    return codecs;
  }

  /** The archived row as the JSON {@code INSERT ... JSON} takes; nulls are left out (unset). */
  String json(String[] values) {
    return CqlJson.row(layout.columns(), types, values);
  }
}
