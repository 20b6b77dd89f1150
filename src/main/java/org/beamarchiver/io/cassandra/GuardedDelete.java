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
import com.datastax.driver.core.Statement;
import com.datastax.driver.core.TableMetadata;
import com.datastax.driver.core.TupleType;
import com.datastax.driver.core.TupleValue;
import com.datastax.driver.core.TypeCodec;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.io.source.RowResult;
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
 *
 * <p><b>In doubt.</b> Once a row's DELETE has been sent, a failure (a timeout, a node lost, the
 * quorum gone) leaves it in doubt: the tombstone may have landed while the re-check never ran, so a
 * change that raced it may have left the row cut. Such a row is retried in <b>repair</b> mode, and a
 * partition whose delete was interrupted is deleted again in repair mode by the next run: a row found
 * changed since the archive (newer, different) gets back, {@code USING TIMESTAMP W+1}, exactly the
 * archived cells it now lacks. That write is below every later write, so a cell the application
 * removed stays removed and a row it changed is unaffected; a cell our tombstone removed comes
 * back. (A non-frozen collection that a racing write added to is not refilled.)
 *
 * <p><b>Cassandra 4.x</b> has no write time for a non-frozen collection, so W is the newest write
 * time of the other regular cells and the check compares the collection by value only. Cells of
 * the collection newer than W (written after the row's other cells, before the archive, or by a
 * change racing the delete) survive the tombstone, so the row survives; the re-check then reads
 * the survivor's values, and the heal leaves such a collection as it is when it survived as
 * archived, and in a list prepends only the archived elements missing before the surviving ones
 * (rewriting the list would append the archived elements after them again).
 */
public final class GuardedDelete {
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
  private final DeleteHook hook;
  /**
   * Per archived column: a non-frozen collection whose write time the check cannot read (before
   * Cassandra 5.0), i.e. whose cells may be newer than W. When any is, the re-checks read the
   * surviving rows' values, not only their keys.
   */
  private final boolean[] untimed;
  /** Per untimed list column: {@code UPDATE ... USING TIMESTAMP ? SET c = fromJson(?) + c WHERE key}. */
  private final PreparedStatement[] prepend;
  /** Whether the re-checks read the survivors' values (some column is untimed). */
  private final boolean readSurvivors;

  private static final JsonFactory JSON = new JsonFactory();

  public GuardedDelete(Session session, TableSpec spec, CassandraTable table, DeleteHook hook) {
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
    boolean timed = CassandraTable.supportsMaxWriteTime(session.getCluster());
    this.untimed = new boolean[layout.size()];
    this.prepend = new PreparedStatement[layout.size()];
    boolean anyUntimed = false;
    for (int i = 0; i < layout.size(); i++) {
      ColumnMetadata c = meta.getColumn(layout.columns().get(i));
      if (!timed && !c.isStatic() && types[i].isCollection() && !types[i].isFrozen()) {
        untimed[i] = true;
        anyUntimed = true;
        if (types[i].getName() == DataType.Name.LIST) {
          String q = CassandraTable.quote(c.getName());
          prepend[i] =
              session.prepare(
                  "UPDATE " + qualified + " USING TIMESTAMP ? SET " + q + " = fromJson(?) + " + q + whereClause);
          prepend[i].setIdempotent(false); // it adds elements: not sent twice by the driver
        }
      }
    }
    this.readSurvivors = anyUntimed;
    this.exists =
        anyUntimed
            ? selectCurrent
            : session.prepare(
                "SELECT " + CassandraTable.quote(layout.columns().get(pk[0])) + " FROM " + qualified + whereClause);
    this.heal = session.prepare("INSERT INTO " + qualified + " JSON ? DEFAULT UNSET USING TIMESTAMP ?");
    // Writing a list again appends its elements again: a heal is not sent twice by the driver.
    heal.setIdempotent(!CassandraTable.writesList(types));
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
          anyUntimed
              ? selectGroup
              : session.prepare("SELECT " + String.join(", ", clustering) + " FROM " + qualified + groupWhere);
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
   * result per row, in order. Never fails. With {@code repair}, a changed row that lacks archived
   * cells gets them back (see the class comment).
   */
  public ListenableFuture<List<RowResult>> applyGroup(List<RowToDelete> rows, boolean dryRun, boolean repair) {
    if (rows.size() == 1 || !groups()) {
      List<ListenableFuture<RowResult>> each = new ArrayList<>();
      for (RowToDelete r : rows) {
        each.add(apply(r, dryRun, repair));
      }
      return Futures.allAsList(each);
    }
    RowResult[] results = new RowResult[rows.size()];
    boolean[] sent = new boolean[rows.size()];
    Object[][] keys = new Object[rows.size()][];
    List<Integer> pending = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      RowToDelete r = rows.get(i);
      if (r.writeTimeMicros() == SourceRow.NO_WRITE_TIME) {
        results[i] = new RowResult(DeleteOutcome.SKIPPED_NO_WRITE_TIME, null);
        continue;
      }
      try {
        keys[i] = key(r.values());
        pending.add(i);
      } catch (RuntimeException e) {
        results[i] = new RowResult(DeleteOutcome.FAILED, e.toString());
      }
    }
    if (pending.isEmpty()) {
      return Futures.immediateFuture(Arrays.asList(results));
    }
    ListenableFuture<List<RowResult>> chain;
    try {
      chain =
          Futures.transformAsync(
              session.executeAsync(bindGroup(selectGroup, keys, pending)),
              rs -> afterGroupCheck(rs, rows, keys, pending, results, sent, dryRun, repair),
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
              results[i] = RowResult.failed(t, sent[i]);
            }
          }
          return Arrays.asList(results);
        },
        MoreExecutors.directExecutor());
  }

  private ListenableFuture<List<RowResult>> afterGroupCheck(
      ResultSet rs, List<RowToDelete> rows, Object[][] keys, List<Integer> pending, RowResult[] results,
      boolean[] sent, boolean dryRun, boolean repair) {
    Map<List<String>, SourceRow> current = new HashMap<>();
    for (Row row : rs) {
      SourceRow now = mapper.toSourceRow(row);
      current.put(keyText(now.values()), now);
    }
    List<Integer> toDelete = new ArrayList<>();
    List<ListenableFuture<RowResult>> repairs = new ArrayList<>();
    List<Integer> repaired = new ArrayList<>();
    BatchStatement batch = new BatchStatement(BatchStatement.Type.UNLOGGED);
    for (int i : pending) {
      RowToDelete r = rows.get(i);
      SourceRow now = current.get(keyText(r.values()));
      if (now == null) {
        results[i] = new RowResult(DeleteOutcome.ABSENT, null);
      } else if (now.writeTimeMicros() != r.writeTimeMicros() || !Arrays.equals(now.values(), r.values())) {
        ListenableFuture<RowResult> fix = repair && !dryRun ? repair(r, now) : null;
        if (fix == null) {
          results[i] = new RowResult(DeleteOutcome.SKIPPED_CHANGED, null);
        } else {
          repairs.add(fix);
          repaired.add(i);
        }
      } else if (dryRun) {
        results[i] = new RowResult(DeleteOutcome.WOULD_DELETE, null);
      } else {
        try {
          hook.beforeDelete(r.values());
          BoundStatement d = delete.bind();
          d.setLong(0, r.writeTimeMicros());
          batch.add(bindKey(d, 1, keys[i]));
          toDelete.add(i);
        } catch (RuntimeException e) {
          results[i] = new RowResult(DeleteOutcome.FAILED, e.toString());
        }
      }
    }
    ListenableFuture<List<RowResult>> fixed = settle(repairs, repaired, results);
    if (toDelete.isEmpty()) {
      return fixed;
    }
    for (int i : toDelete) {
      sent[i] = true; // from here on a failure leaves these rows in doubt
    }
    // Never fails: a failure after the delete was sent leaves its rows FAILED and in doubt, while
    // the repairs above still run to their own end.
    ListenableFuture<List<RowResult>> deleted =
        Futures.catching(
            Futures.transformAsync(
                session.executeAsync(toDelete.size() == 1 ? batch.getStatements().iterator().next() : batch),
                ignored ->
                    Futures.transformAsync(
                        session.executeAsync(bindGroup(existsGroup, keys, toDelete)),
                        after -> afterGroupDelete(after, rows, keys, toDelete, results),
                        MoreExecutors.directExecutor()),
                MoreExecutors.directExecutor()),
            Throwable.class,
            t -> {
              for (int i : toDelete) {
                if (results[i] == null) {
                  results[i] = RowResult.failed(t, true);
                }
              }
              return Arrays.asList(results);
            },
            MoreExecutors.directExecutor());
    return Futures.transform(
        Futures.allAsList(fixed, deleted), both -> Arrays.asList(results), MoreExecutors.directExecutor());
  }

  /**
   * Waits for per-row writes whose futures never fail (each resolves to its row's result) and
   * stores their results.
   */
  private static ListenableFuture<List<RowResult>> settle(
      List<ListenableFuture<RowResult>> writes, List<Integer> rowsOf, RowResult[] results) {
    if (writes.isEmpty()) {
      return Futures.immediateFuture(Arrays.asList(results));
    }
    return Futures.transform(
        Futures.allAsList(writes),
        done -> {
          for (int k = 0; k < done.size(); k++) {
            results[rowsOf.get(k)] = done.get(k);
          }
          return Arrays.asList(results);
        },
        MoreExecutors.directExecutor());
  }

  /**
   * Repair mode: the archived cells a changed row now lacks, written back at the archived write
   * time + 1 (below every later write: a cell the application removed stays removed). Null when the
   * row lacks none, or is not newer than the archive. The future never fails: a failed repair is a
   * FAILED row still in doubt.
   */
  private ListenableFuture<RowResult> repair(RowToDelete archived, SourceRow now) {
    if (now.writeTimeMicros() <= archived.writeTimeMicros()) {
      return null;
    }
    String[] missing = new String[archived.values().length];
    boolean any = false;
    for (int i = 0; i < missing.length; i++) {
      boolean key = false;
      for (int k : pk) {
        key |= k == i;
      }
      if (key) {
        missing[i] = archived.values()[i];
      } else if (archived.values()[i] != null && now.values()[i] == null) {
        missing[i] = archived.values()[i];
        any = true;
      }
    }
    if (!any) {
      return null;
    }
    BoundStatement h = heal.bind();
    h.setString(0, json(missing));
    h.setLong(1, archived.writeTimeMicros() + 1);
    return rewrite(h);
  }

  /**
   * Sends a write that puts archived cells back (a heal or a repair): the row stays, counted as
   * changed. The future never fails: a failed write leaves a FAILED row in doubt.
   */
  private ListenableFuture<RowResult> rewrite(Statement write) {
    return Futures.catching(
        Futures.transform(
            session.executeAsync(write),
            ignored -> new RowResult(DeleteOutcome.SKIPPED_CHANGED, null),
            MoreExecutors.directExecutor()),
        Throwable.class,
        t -> RowResult.failed(t, true),
        MoreExecutors.directExecutor());
  }

  private ListenableFuture<List<RowResult>> afterGroupDelete(
      ResultSet after, List<RowToDelete> rows, Object[][] keys, List<Integer> deleted, RowResult[] results) {
    // Survivors by clustering key; with untimed columns, with their values (else null).
    Map<List<String>, SourceRow> survivors = new HashMap<>();
    for (Row row : after) {
      if (readSurvivors) {
        SourceRow now = mapper.toSourceRow(row);
        survivors.put(clusteringText(now.values()), now);
        continue;
      }
      List<String> clustering = new ArrayList<>();
      for (int k = partitionKeys; k < pk.length; k++) {
        clustering.add(CqlText.of(row.getObject(k - partitionKeys)));
      }
      survivors.put(clustering, null);
    }
    List<ListenableFuture<RowResult>> heals = new ArrayList<>();
    List<Integer> healed = new ArrayList<>();
    for (int i : deleted) {
      RowToDelete r = rows.get(i);
      List<String> clustering = clusteringText(r.values());
      if (survivors.containsKey(clustering)) {
        heals.add(heal(r, keys[i], survivors.get(clustering)));
        healed.add(i);
      } else {
        results[i] = new RowResult(DeleteOutcome.DELETED, null);
      }
    }
    return settle(heals, healed, results);
  }

  /**
   * Writes the archived row back at W+1 after a racing write survived its tombstone ({@code now}:
   * the survivor, when the table has untimed collections, else null; see {@link #healStatement});
   * the future never fails (a failed heal is a FAILED row in doubt).
   */
  private ListenableFuture<RowResult> heal(RowToDelete row, Object[] key, SourceRow now) {
    Statement h;
    try {
      h = healStatement(row, key, now);
    } catch (RuntimeException e) {
      return Futures.immediateFuture(RowResult.failed(e, true));
    }
    return rewrite(h);
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

  /**
   * Checks, deletes, re-checks and heals one row; in a dry run only checks; with {@code repair}, a
   * changed row that lacks archived cells gets them back. Never throws.
   */
  public ListenableFuture<RowResult> apply(RowToDelete row, boolean dryRun, boolean repair) {
    if (row.writeTimeMicros() == SourceRow.NO_WRITE_TIME) {
      return Futures.immediateFuture(new RowResult(DeleteOutcome.SKIPPED_NO_WRITE_TIME, null));
    }
    boolean[] sent = {false};
    ListenableFuture<RowResult> chain;
    try {
      Object[] key = key(row.values());
      chain =
          Futures.transformAsync(
              session.executeAsync(bindKey(selectCurrent.bind(), 0, key)),
              rs -> afterCheck(rs, row, key, dryRun, repair, sent),
              MoreExecutors.directExecutor());
    } catch (RuntimeException e) {
      return Futures.immediateFuture(new RowResult(DeleteOutcome.FAILED, e.toString()));
    }
    return Futures.catching(
        chain,
        Throwable.class,
        t -> RowResult.failed(t, sent[0]),
        MoreExecutors.directExecutor());
  }

  private ListenableFuture<RowResult> afterCheck(
      ResultSet rs, RowToDelete row, Object[] key, boolean dryRun, boolean repair, boolean[] sent) {
    Row current = rs.one();
    if (current == null) {
      return Futures.immediateFuture(new RowResult(DeleteOutcome.ABSENT, null));
    }
    SourceRow now = mapper.toSourceRow(current);
    if (now.writeTimeMicros() != row.writeTimeMicros() || !Arrays.equals(now.values(), row.values())) {
      ListenableFuture<RowResult> fix = repair && !dryRun ? repair(row, now) : null;
      return fix != null ? fix : Futures.immediateFuture(new RowResult(DeleteOutcome.SKIPPED_CHANGED, null));
    }
    if (dryRun) {
      return Futures.immediateFuture(new RowResult(DeleteOutcome.WOULD_DELETE, null));
    }
    hook.beforeDelete(row.values());
    BoundStatement d = delete.bind();
    d.setLong(0, row.writeTimeMicros());
    bindKey(d, 1, key);
    sent[0] = true; // from here on a failure leaves the row in doubt
    return Futures.transformAsync(
        session.executeAsync(d),
        ignored ->
            Futures.transformAsync(
                session.executeAsync(bindKey(exists.bind(), 0, key)),
                after -> afterDelete(after, row, key),
                MoreExecutors.directExecutor()),
        MoreExecutors.directExecutor());
  }

  private ListenableFuture<RowResult> afterDelete(ResultSet after, RowToDelete row, Object[] key) {
    Row survivor = after.one();
    if (survivor == null) {
      return Futures.immediateFuture(new RowResult(DeleteOutcome.DELETED, null));
    }
    return heal(row, key, readSurvivors ? mapper.toSourceRow(survivor) : null);
  }

  /**
   * The heal of a row that survived its tombstone: its archived values {@code USING TIMESTAMP W+1}.
   * With the survivor's values ({@code now}, when the table has untimed collections), an untimed
   * collection that survived as archived is left out, and an untimed list that survived in part
   * keeps its survivors: the archived elements missing before them are prepended (at W+1 too).
   */
  private Statement healStatement(RowToDelete row, Object[] key, SourceRow now) {
    String[] values = row.values();
    long at = row.writeTimeMicros() + 1;
    List<Statement> prepends = new ArrayList<>();
    if (now != null) {
      values = values.clone();
      for (int i = 0; i < values.length; i++) {
        String left = now.values()[i];
        if (!untimed[i] || values[i] == null || left == null) {
          continue; // timed, nothing archived, or nothing survived: written whole as archived
        }
        if (left.equals(values[i])) {
          values[i] = null; // survived as archived
        } else if (prepend[i] != null) {
          List<String> archived = elements(values[i]);
          int kept = overlap(archived, elements(left));
          values[i] = null;
          if (kept < archived.size()) {
            BoundStatement p = prepend[i].bind();
            p.setLong(0, at);
            p.setString(1, "[" + String.join(",", archived.subList(0, archived.size() - kept)) + "]");
            prepends.add(bindKey(p, 2, key));
          }
        }
      }
    }
    BoundStatement h = heal.bind();
    h.setString(0, json(values));
    h.setLong(1, at);
    if (prepends.isEmpty()) {
      return h;
    }
    BatchStatement b = new BatchStatement(BatchStatement.Type.UNLOGGED); // one partition: one mutation
    b.add(h);
    prepends.forEach(b::add);
    return b;
  }

  /**
   * How many of the archived list's last elements the surviving list starts with: the archived
   * elements newer than W (they survived the tombstone, in place), before any racing append.
   */
  static int overlap(List<String> archived, List<String> survived) {
    for (int k = Math.min(archived.size(), survived.size()); k > 0; k--) {
      if (archived.subList(archived.size() - k, archived.size()).equals(survived.subList(0, k))) {
        return k;
      }
    }
    return 0;
  }

  /** The elements of a JSON array (a list's canonical text), each as its exact text. */
  static List<String> elements(String array) {
    List<Integer> starts = new ArrayList<>();
    int end;
    try (JsonParser p = JSON.createParser(array)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IllegalArgumentException("not a JSON array: " + array);
      }
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == null) {
          throw new IllegalArgumentException("unterminated JSON array: " + array);
        }
        starts.add((int) p.getTokenLocation().getCharOffset());
        p.skipChildren();
      }
      end = (int) p.getTokenLocation().getCharOffset();
    } catch (IOException e) {
      throw new IllegalArgumentException("not a JSON array: " + array, e);
    }
    List<String> out = new ArrayList<>(starts.size());
    for (int e = 0; e < starts.size(); e++) {
      String piece = array.substring(starts.get(e), e + 1 < starts.size() ? starts.get(e + 1) : end);
      out.add(piece.replaceFirst("[\\s,]+$", ""));
    }
    return out;
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
