package org.beamarchiver.transforms;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.Impulse;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.io.source.Family;
import org.beamarchiver.model.ArchiveFormat;
import org.beamarchiver.model.ArchivedFile;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.PartitionKeyCoder;
import org.beamarchiver.model.Rollup;
import org.beamarchiver.model.ValueType;

/**
 * Writes one file per partition in the run's {@link ArchiveFormat} (gzip CSV or Parquet), rows
 * sorted by primary key, through SHA-256 and counters in one pass, into a temporary object renamed to its final name only when complete
 * ({@link PartitionFileWriter}). A partition that fails to write comes out as a failed {@link
 * ArchivedFile}; the others go on. Memory never holds a whole partition. Two ways to bring a
 * partition's rows together, giving the same bytes:
 *
 * <ul>
 *   <li>{@link Shuffle#RUNNER}: the runner's GroupByKey (Flink and Dataflow sort and spill it at
 *       any scale), then each partition sorted by {@link ExternalSorter}, which spills to local
 *       disk past {@code --sortMemoryMb}.
 *   <li>{@link Shuffle#SPILL}: each worker sorts what it read in bounded buffers and spills them
 *       as run files under the run's temporary folder; one index per run (partition → segment)
 *       reaches a single planner as a side input, and each partition's file is a merge of its
 *       segments. No row crosses a GroupByKey: this is what the DirectRunner needs, whose
 *       GroupByKey holds everything in memory and copies it per bundle. Its plan grows with
 *       runs × partitions, so it is for one machine; clusters use RUNNER.
 * </ul>
 */
public final class WritePartitionFiles
    extends PTransform<PCollection<KV<PartitionKey, KV<byte[], byte[]>>>, PCollection<ArchivedFile>> {

  /** How rows of a partition are brought together. */
  public enum Shuffle {
    RUNNER,
    SPILL
  }

  /** Where and how files are written. */
  public record FileSettings(
      String archiveRoot,
      String archiveType,
      String runId,
      long runEpochMillis,
      List<String> header,
      int gzipLevel,
      int sortMemoryMb,
      Shuffle shuffle,
      WriteAhead writeAhead,
      Rollup rollup,
      ArchiveFormat format,
      Outage outage,
      List<ValueType> valueTypes,
      String tableName,
      Family family)
      implements Serializable {
    // tableName: the table's name in a SQLite archive; family: its related tables (null: archived alone)
    /** {@code valueTypes} null: every column text. */
    public FileSettings {
      if (valueTypes == null) {
        valueTypes = ValueType.allText(header.size() - 1);
      }
    }

    public FileSettings(
        String archiveRoot,
        String archiveType,
        String runId,
        long runEpochMillis,
        List<String> header,
        int gzipLevel,
        int sortMemoryMb,
        Shuffle shuffle,
        WriteAhead writeAhead,
        Rollup rollup) {
      this(archiveRoot, archiveType, runId, runEpochMillis, header, gzipLevel, sortMemoryMb, shuffle, writeAhead, rollup,
          ArchiveFormat.DEFAULT, new Outage(Outage.DEFAULT), null, null, null);
    }

    public FileSettings(
        String archiveRoot,
        String archiveType,
        String runId,
        long runEpochMillis,
        List<String> header,
        int gzipLevel,
        int sortMemoryMb,
        Shuffle shuffle,
        WriteAhead writeAhead) {
      this(archiveRoot, archiveType, runId, runEpochMillis, header, gzipLevel, sortMemoryMb, shuffle, writeAhead, Rollup.NONE);
    }

    public FileSettings(
        String archiveRoot,
        String archiveType,
        String runId,
        long runEpochMillis,
        List<String> header,
        int gzipLevel,
        int sortMemoryMb,
        Shuffle shuffle) {
      this(archiveRoot, archiveType, runId, runEpochMillis, header, gzipLevel, sortMemoryMb, shuffle, WriteAhead.NONE);
    }

    /** The same settings, writing {@code f}. */
    public FileSettings withFormat(ArchiveFormat f) {
      return new FileSettings(
          archiveRoot, archiveType, runId, runEpochMillis, header, gzipLevel, sortMemoryMb, shuffle, writeAhead, rollup, f,
          outage, valueTypes, tableName, family);
    }

    /** The same settings, riding out a store outage of up to {@code o}. */
    public FileSettings withOutage(Outage o) {
      return new FileSettings(
          archiveRoot, archiveType, runId, runEpochMillis, header, gzipLevel, sortMemoryMb, shuffle, writeAhead, rollup,
          format, o, valueTypes, tableName, family);
    }

    /** The same settings, with the columns' typed forms (typed Parquet). */
    public FileSettings withValueTypes(List<ValueType> v) {
      return new FileSettings(
          archiveRoot, archiveType, runId, runEpochMillis, header, gzipLevel, sortMemoryMb, shuffle, writeAhead, rollup,
          format, outage, v, tableName, family);
    }
  }

  /**
   * Called before a partition's object is created, with its final name: the archive pipeline
   * records it in the ledger, so that an object is never written that the ledger does not know.
   */
  public interface WriteAhead extends Serializable {
    /** Records partitions' final names (partition → name), all or none. */
    void beforeWrite(Map<PartitionKey, String> names) throws Exception;

    /** Releases what the worker's copy keeps between calls (a ledger connection). */
    default void close() {}

    WriteAhead NONE = names -> {};
  }

  /** A partition's records inside one run file: {@code records} records in {@code bytes} bytes from {@code offset}. */
  public record Segment(String path, long offset, long records, long bytes) implements Serializable {}

  /** One spilled run file and where each partition's records sit in it. */
  public record SpillIndex(String path, List<KV<PartitionKey, Segment>> segments) implements Serializable {}

  private final FileSettings settings;

  public WritePartitionFiles(FileSettings settings) {
    this.settings = settings;
  }

  @Override
  public PCollection<ArchivedFile> expand(PCollection<KV<PartitionKey, KV<byte[], byte[]>>> rows) {
    PCollection<ArchivedFile> files;
    if (settings.shuffle() == Shuffle.SPILL) {
      // Each run's index is written beside it; only the index paths (one per run) reach the
      // planner, as a side input, so no per-row or per-segment element crosses a GroupByKey.
      files =
          mergeSpills(
              rows.apply("SpillSortedRuns", ParDo.of(new SpillSortedRunsFn(settings)))
                  .setCoder(StringUtf8Coder.of()),
              settings);
    } else {
      files =
          rows.apply("GroupByPartition", GroupByKey.create())
              .apply("SortAndWriteFile", ParDo.of(new SortAndWriteFn(settings)));
    }
    return files.setCoder(SerializableCoder.of(ArchivedFile.class));
  }

  /**
   * SPILL, second half: from the index paths of spilled runs to one written file per partition
   * (each partition's segments merged in key order).
   */
  public static PCollection<ArchivedFile> mergeSpills(PCollection<String> runIndexes, FileSettings settings) {
    PCollectionView<Iterable<String>> runs = runIndexes.apply("RunIndexes", View.asIterable());
    return runIndexes
        .getPipeline()
        .apply("StartMergePlan", Impulse.create())
        .apply("PlanMerges", ParDo.of(new PlanMergesFn(runs)).withSideInputs(runs))
        .setCoder(
            KvCoder.of(
                VarIntCoder.of(),
                KvCoder.of(PartitionKeyCoder.of(), ListCoder.of(SerializableCoder.of(Segment.class)))))
        .apply("GroupMergesIntoShards", GroupByKey.create())
        .apply("MergeSegmentsAndWriteFiles", ParDo.of(new MergeSegmentsAndWriteFn(settings)))
        .setCoder(SerializableCoder.of(ArchivedFile.class));
  }

  /** Counts what a written partition adds up to. */
  abstract static class WritingFn<InputT> extends DoFn<InputT, ArchivedFile> {
    private final Counter partitionsWritten = Metrics.counter("archive", "partitionsWritten");
    private final Counter partitionsFailed = Metrics.counter("archive", "partitionsFailed");
    private final Counter rowsWritten = Metrics.counter("archive", "rowsWritten");
    private final Counter bytesWritten = Metrics.counter("archive", "bytesWritten");
    private final Distribution rowsPerFile = Metrics.distribution("archive", "rowsPerFile");

    final FileSettings settings;

    WritingFn(FileSettings settings) {
      this.settings = settings;
    }

    @Setup
    public void setupStores() {
      Stores.setOutage(settings.outage()); // this worker's renames and removals ride it out too
    }

    @Teardown
    public void closeWriteAhead() {
      settings.writeAhead().close();
    }

    void publish(PartitionKey key, PartitionFileWriter.SortedRows sorted, OutputReceiver<ArchivedFile> out) {
      publish(key, sorted, false, out);
    }

    /** {@code recorded}: the partition's write-ahead is already in the ledger. */
    void publish(
        PartitionKey key, PartitionFileWriter.SortedRows sorted, boolean recorded, OutputReceiver<ArchivedFile> out) {
      ArchivedFile file = PartitionFileWriter.writeAndPublish(settings, key, sorted, recorded);
      if (file.succeeded()) {
        partitionsWritten.inc();
        rowsWritten.inc(file.rowCount());
        bytesWritten.inc(file.byteSize());
        rowsPerFile.update(file.rowCount());
      } else {
        partitionsFailed.inc();
      }
      out.output(file);
    }
  }

  /** RUNNER: a grouped partition, sorted with bounded memory, then written. */
  static final class SortAndWriteFn extends WritingFn<KV<PartitionKey, Iterable<KV<byte[], byte[]>>>> {
    SortAndWriteFn(FileSettings settings) {
      super(settings);
    }

    @ProcessElement
    public void process(
        @Element KV<PartitionKey, Iterable<KV<byte[], byte[]>>> partition,
        OutputReceiver<ArchivedFile> out)
        throws IOException {
      try (ExternalSorter sorter =
          new ExternalSorter(
              (long) settings.sortMemoryMb() << 20,
              Path.of(System.getProperty("java.io.tmpdir"), "beam-archiver-sort"))) {
        for (KV<byte[], byte[]> row : partition.getValue()) {
          sorter.add(row.getKey(), row.getValue());
        }
        publish(partition.getKey(), sorter::sorted, out);
      }
    }
  }

  /** SPILL: buffers rows, and spills them sorted by (partition, key) into run files. */
  static final class SpillSortedRunsFn extends DoFn<KV<PartitionKey, KV<byte[], byte[]>>, String> {
    private final FileSettings settings;
    private transient SpillBuffer buffer;

    SpillSortedRunsFn(FileSettings settings) {
      this.settings = settings;
    }

    @StartBundle
    public void start() {
      buffer = new SpillBuffer(settings);
    }

    @ProcessElement
    public void process(
        @Element KV<PartitionKey, KV<byte[], byte[]>> row, OutputReceiver<String> out)
        throws IOException {
      if (buffer.add(row.getKey(), row.getValue().getKey(), row.getValue().getValue())) {
        buffer.spill(out::output);
      }
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws IOException {
      buffer.spill(kv -> c.output(kv, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE));
    }
  }

  /**
   * SPILL: turns every run's index into one (partition → its segments) element per partition, the
   * partitions dealt into a few shards of about equal rows (largest first, each to the lightest
   * shard). One shard is one bundle: the DirectRunner pays a fixed cost per bundle (it translates
   * the step again), which one bundle per partition made a fifth of the archive's CPU.
   */
  static final class PlanMergesFn extends DoFn<byte[], KV<Integer, KV<PartitionKey, List<Segment>>>> {
    private final PCollectionView<Iterable<String>> runs;

    PlanMergesFn(PCollectionView<Iterable<String>> runs) {
      this.runs = runs;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      Map<PartitionKey, List<Segment>> plan = new HashMap<>();
      for (String index : c.sideInput(runs)) {
        SpillIndex run;
        try (java.io.InputStream in =
            new BufferedInputStream(
                Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(index, false))),
                1 << 16)) {
          run = SpillIndexCoder.of().decode(in);
        }
        for (KV<PartitionKey, Segment> s : run.segments()) {
          plan.computeIfAbsent(s.getKey(), k -> new ArrayList<>()).add(s.getValue());
        }
      }
      for (Map.Entry<Integer, List<KV<PartitionKey, List<Segment>>>> shard :
          shards(plan, Math.max(16, 4 * Runtime.getRuntime().availableProcessors())).entrySet()) {
        for (KV<PartitionKey, List<Segment>> partition : shard.getValue()) {
          c.output(KV.of(shard.getKey(), partition));
        }
      }
    }
  }

  /** Partitions dealt into {@code n} shards of about equal records, largest partition first. */
  static Map<Integer, List<KV<PartitionKey, List<Segment>>>> shards(Map<PartitionKey, List<Segment>> plan, int n) {
    List<Map.Entry<PartitionKey, List<Segment>>> bySize = new ArrayList<>(plan.entrySet());
    bySize.sort(
        java.util.Comparator.comparingLong((Map.Entry<PartitionKey, List<Segment>> e) -> records(e.getValue()))
            .reversed()
            .thenComparing(Map.Entry::getKey));
    long[] load = new long[n];
    Map<Integer, List<KV<PartitionKey, List<Segment>>>> shards = new java.util.TreeMap<>();
    for (Map.Entry<PartitionKey, List<Segment>> e : bySize) {
      int lightest = 0;
      for (int i = 1; i < n; i++) {
        if (load[i] < load[lightest]) {
          lightest = i;
        }
      }
      load[lightest] += records(e.getValue());
      shards.computeIfAbsent(lightest, k -> new ArrayList<>()).add(KV.of(e.getKey(), e.getValue()));
    }
    return shards;
  }

  private static long records(List<Segment> segments) {
    long n = 0;
    for (Segment s : segments) {
      n += s.records();
    }
    return n;
  }

  /**
   * SPILL: merges each partition's segments, each already sorted, into its file; a shard at a time.
   * Every partition has a segment in most run files, so a shard opens each run file once and reads
   * its partitions' segments from it by position, each through a buffer no larger than the segment.
   */
  static final class MergeSegmentsAndWriteFn
      extends WritingFn<KV<Integer, Iterable<KV<PartitionKey, List<Segment>>>>> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MergeSegmentsAndWriteFn.class);

    MergeSegmentsAndWriteFn(FileSettings settings) {
      super(settings);
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<KV<PartitionKey, List<Segment>>>> shard, OutputReceiver<ArchivedFile> out)
        throws IOException {
      // The shard's write-aheads in one ledger transaction; if that fails, each partition's own
      // write-ahead is tried (and fails only that partition) as it is written.
      Map<PartitionKey, String> names = new java.util.LinkedHashMap<>();
      for (KV<PartitionKey, List<Segment>> partition : shard.getValue()) {
        names.put(partition.getKey(), PartitionFileWriter.finalName(settings, partition.getKey()));
      }
      boolean recorded;
      try {
        settings.writeAhead().beforeWrite(names);
        recorded = true;
      } catch (Exception e) {
        LOG.warn("the write-ahead of {} partitions failed ({}); recording them one at a time", names.size(), e.toString());
        recorded = false;
      }
      Map<String, SeekableByteChannel> open = new HashMap<>();
      try {
        for (KV<PartitionKey, List<Segment>> partition : shard.getValue()) {
          merge(partition.getKey(), partition.getValue(), open, recorded, out);
        }
      } finally {
        for (SeekableByteChannel ch : open.values()) {
          ch.close();
        }
      }
    }

    private void merge(
        PartitionKey key, List<Segment> segments, Map<String, SeekableByteChannel> open, boolean recorded,
        OutputReceiver<ArchivedFile> out) {
      // Read again from the segments for each try of the write: they are local files.
      publish(
          key,
          () -> {
            List<Iterator<byte[][]>> sources = new ArrayList<>();
            for (Segment s : segments) {
              SeekableByteChannel ch = open.get(s.path());
              if (ch == null) {
                ch = (SeekableByteChannel) FileSystems.open(FileSystems.matchNewResource(s.path(), false));
                open.put(s.path(), ch);
              }
              sources.add(ExternalSorter.readRecords(new SegmentInput(ch, s.offset(), s.bytes()), s.records()));
            }
            return ExternalSorter.merge(sources);
          },
          recorded,
          out);
    }
  }
}
