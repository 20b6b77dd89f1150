package org.beamarchiver.io.source;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.spec.TableSpec;

/**
 * What every pipeline needs from a live store, whatever holds the table: resolve it, plan and read
 * its rows, delete archived rows under the guard, write restored rows back. One implementation per
 * source kind (Cassandra, JDBC), chosen once from the table spec ({@code io.LiveSources}); the
 * pipelines and transforms see only this. Serializable: workers carry it and open their deleters,
 * writers and scanners from it.
 */
public interface LiveSource extends Serializable {
  /** The table spec this source serves. */
  TableSpec spec();

  /** How long the source's outages (and, on its workers, the object store's) are ridden out. */
  Outage outage();

  /**
   * Refuses, before anything is recorded, a configuration under which {@code command} (delete,
   * restore) writing into {@code keyspace} could not keep its guard; returns notes for the log.
   *
   * @throws IllegalArgumentException naming the option and what is allowed
   */
  List<String> checkGuard(String command, String keyspace);

  /**
   * The related tables archived, deleted and restored with {@code table} (a cascade), or null when
   * it is archived alone (every source but a JDBC spec with children or a summary).
   */
  default Family family(SourceTable table) throws Exception {
    return null;
  }

  /**
   * The table as the source has it: columns, key and types, checked against the spec.
   *
   * @throws IllegalArgumentException naming the difference when the spec does not fit the table
   */
  SourceTable resolve() throws Exception;

  /**
   * The table resolved ({@link #resolve}) and the read of {@code request} split (token ranges,
   * time slices), on one connection.
   */
  ReadPlan planRead(ArchiveRequest request) throws Exception;

  /**
   * The rows of the plan, through the runner's own IO (its splitting and retries); rows of other
   * batches than {@code batchIds} (when not empty) may be left out at the source.
   */
  PTransform<PBegin, PCollection<SourceRow>> readRows(ReadPlan plan, Set<String> batchIds);

  /**
   * About how many rows {@link #readRows} will read (what the archive's {@code rowsRead} counts),
   * from the database's own statistics, cheaply: no scan. Empty when the database cannot say;
   * the archive's progress then shows rates but no share done or ETA.
   */
  default java.util.OptionalLong estimateRowsRead(ReadPlan plan, Set<String> batchIds) {
    return java.util.OptionalLong.empty();
  }

  /**
   * Whether the source reads a slice by itself ({@link #openScanner}), so that one DoFn can read,
   * key and spill it (the DirectRunner's fused read).
   */
  boolean scansSlices();

  /** A reader of the plan's slices for one worker; only when {@link #scansSlices()}. */
  SliceScanner openScanner(SourceTable table);

  /**
   * A guarded deleter for one worker: {@code concurrency} rows in flight at most, sent no faster
   * than {@code throttle} (its share of --maxDeletesPerSecond).
   */
  GuardedDeleter openDeleter(SourceTable table, DeleteHook hook, int concurrency, Throttle throttle);

  /** The table a restore writes into when --targetTable is not given. */
  String defaultRestoreTable();

  /** A restore target in this store as the ledger and the summary name it (never credentials). */
  String describeTarget(String keyspace, String table);

  /**
   * Why the restore target {@code target} (the archive's columns, this source's key) cannot take
   * the archived rows, or null when it can.
   */
  String restoreIncompatibility(TableSpec target, List<Map.Entry<String, String>> columns) throws Exception;

  /**
   * A writer of restored rows into {@code target} for one worker, sent no faster than {@code
   * throttle} (its share of --maxWritesPerSecond) where the store writes row by row.
   */
  RestoreWriter openWriter(TableSpec target, int concurrency, Throttle throttle);

  /** The live rows of batch {@code batchId}, each to {@code sink}: what a report merges with the archived ones. */
  void readBatch(SourceTable table, String batchId, SliceScanner.RowSink sink) throws IOException;

  /**
   * The fields of the user type that the list or set column {@code column} holds, for a report's
   * row per element.
   *
   * @throws IllegalArgumentException naming the spec field when the column holds no user type
   */
  List<String> elementFields(String column);
}
