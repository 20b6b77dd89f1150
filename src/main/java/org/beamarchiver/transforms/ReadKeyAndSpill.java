package org.beamarchiver.transforms;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.beamarchiver.io.source.LiveSource;
import org.beamarchiver.io.source.ReadPlan;
import org.beamarchiver.io.source.SliceScanner;
import org.beamarchiver.model.DeadLetter;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.PartitionKeyCoder;

/**
 * The SPILL shuffle's read, fused: each slice of the read plan is read ({@link SliceScanner}), keyed ({@link KeyByPartition.Keyer})
 * and spilled into sorted run files by one DoFn, so that only run index paths (and dead letters)
 * leave it. The DirectRunner keeps every output of a bundle in memory until the bundle ends and
 * schedules reads ahead of their consumers; a read that emitted rows held the whole table there.
 * Here memory is one --sortMemoryMb buffer shared by the worker threads, whatever the table's size.
 * The slices are dealt into read units of about {@link #SLICES_PER_UNIT} slices (at least four per
 * worker), each one bundle: a bundle's buffer is spilled when full and when the bundle ends, so a
 * unit per slice spilled a small run per slice, and every partition's file became a merge of
 * hundreds of tiny segments. Units stay small enough that the DirectRunner's counters (committed
 * as bundles end) show progress, and that its threads stay busy to the end of the read (a free
 * thread runs its scheduler, which polls without pause). The
 * merge that follows is {@link WritePartitionFiles#mergeSpills}. For sources that read a slice by
 * themselves ({@link LiveSource#scansSlices()}).
 */
public final class ReadKeyAndSpill extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<String> SPILL_INDEX = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTER = new TupleTag<>() {};

  private final LiveSource source;
  private final ReadPlan plan;
  private final KeyByPartition.Keyer keyer;
  private final WritePartitionFiles.FileSettings settings;
  private final int workers;

  /**
   * @param workers the runner's worker threads: the slices are read in at least four units per
   *     worker, and the spill memory is shared among them
   */
  public ReadKeyAndSpill(
      LiveSource source, ReadPlan plan, KeyByPartition.Keyer keyer, WritePartitionFiles.FileSettings settings,
      int workers) {
    this.source = source;
    this.plan = plan;
    this.keyer = keyer;
    this.settings = settings;
    this.workers = Math.max(1, workers);
  }

  /**
   * The plan's slices dealt round-robin into {@code units} lists (fewer when there are fewer
   * slices), spread over workers: what both fused reads start from.
   */
  static PCollection<List<KV<Long, Long>>> spreadRanges(PBegin input, ReadPlan plan, int units) {
    return input
        .apply(
            "TokenRanges",
            Create.of(readUnits(plan.slices(), units))
                .withCoder(ListCoder.of(KvCoder.of(VarLongCoder.of(), VarLongCoder.of()))))
        .apply("SpreadRanges", Reshuffle.viaRandomKey());
  }

  /** Slices a read unit holds, about. */
  static final int SLICES_PER_UNIT = 8;

  /** How many read units a plan is read in by {@code workers}. */
  static int units(ReadPlan plan, int workers) {
    return Math.max(4 * workers, (plan.slices().size() + SLICES_PER_UNIT - 1) / SLICES_PER_UNIT);
  }

  /** {@code slices} dealt round-robin into at most {@code units} non-empty lists. */
  static List<List<KV<Long, Long>>> readUnits(List<KV<Long, Long>> slices, int units) {
    int n = Math.max(1, Math.min(units, slices.size()));
    List<List<KV<Long, Long>>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new ArrayList<>());
    }
    for (int i = 0; i < slices.size(); i++) {
      out.get(i % n).add(slices.get(i));
    }
    return out;
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    PCollectionTuple out =
        spreadRanges(input, plan, units(plan, workers))
            .apply(
                "ReadKeyAndSpillRows",
                ParDo.of(new ReadKeyAndSpillFn(this)).withOutputTags(SPILL_INDEX, TupleTagList.of(DEAD_LETTER)));
    out.get(SPILL_INDEX).setCoder(StringUtf8Coder.of());
    out.get(DEAD_LETTER).setCoder(SerializableCoder.of(DeadLetter.class));
    return out;
  }

  /**
   * The plan's read on the DirectRunner: the same fused read, counting rows per partition instead
   * of spilling them; only (partition, count) pairs of each bundle leave the step.
   */
  public static final class ReadKeyAndCount extends PTransform<PBegin, PCollection<KV<PartitionKey, Long>>> {
    private final ReadKeyAndSpill read;

    public ReadKeyAndCount(LiveSource source, ReadPlan plan, KeyByPartition.Keyer keyer, int workers) {
      this.read = new ReadKeyAndSpill(source, plan, keyer, null, workers);
    }

    @Override
    public PCollection<KV<PartitionKey, Long>> expand(PBegin input) {
      return spreadRanges(input, read.plan, units(read.plan, read.workers))
          .apply("ReadKeyAndCountRows", ParDo.of(new ReadKeyAndCountFn(read)))
          .setCoder(KvCoder.of(PartitionKeyCoder.of(), VarLongCoder.of()))
          .apply("SumPerPartition", Sum.longsPerKey());
    }
  }

  /** Reading shared by the spilling and the counting Fn. */
  abstract static class ScanFn<OutputT> extends DoFn<List<KV<Long, Long>>, OutputT> {
    final LiveSource source;
    final ReadPlan plan;
    final KeyByPartition.Keyer keyer;
    transient SliceScanner scanner;

    ScanFn(ReadKeyAndSpill t) {
      this.source = t.source;
      this.plan = t.plan;
      this.keyer = t.keyer;
    }

    @Setup
    public void setup() {
      scanner = source.openScanner(plan.table());
    }

    @Teardown
    public void teardown() {
      if (scanner != null) {
        scanner.close();
        scanner = null;
      }
    }

    /** Reads a unit's slices (outages ridden out by the scanner), keying each row into the sink. */
    void scan(List<KV<Long, Long>> unit, KeyByPartition.Keyer.Sink sink) throws IOException {
      for (KV<Long, Long> slice : unit) {
        scanner.scan(slice, row -> keyer.key(row, sink));
      }
    }
  }

  static final class ReadKeyAndCountFn extends ScanFn<KV<PartitionKey, Long>> {
    private transient java.util.Map<PartitionKey, long[]> counts;

    ReadKeyAndCountFn(ReadKeyAndSpill t) {
      super(t);
    }

    @StartBundle
    public void start() {
      counts = new java.util.HashMap<>();
    }

    @ProcessElement
    public void process(@Element List<KV<Long, Long>> unit) throws IOException {
      scan(
          unit,
          new KeyByPartition.Keyer.Sink() {
            @Override
            public void keyed(PartitionKey key, byte[] sortKey, byte[] payload) {
              counts.computeIfAbsent(key, k -> new long[1])[0]++;
            }

            @Override
            public void deadLetter(DeadLetter letter) {}
          });
    }

    @FinishBundle
    public void finish(FinishBundleContext c) {
      counts.forEach(
          (k, n) -> c.output(KV.of(k, n[0]), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE));
    }
  }

  static final class ReadKeyAndSpillFn extends ScanFn<String> {
    private final WritePartitionFiles.FileSettings settings;
    private final int workers;
    private transient SpillBuffer buffer;

    ReadKeyAndSpillFn(ReadKeyAndSpill t) {
      super(t);
      this.settings = t.settings;
      this.workers = t.workers;
    }

    @StartBundle
    public void start() {
      buffer = new SpillBuffer(settings, ((long) settings.sortMemoryMb() << 20) / workers);
    }

    @ProcessElement
    public void process(@Element List<KV<Long, Long>> unit, MultiOutputReceiver out) throws IOException {
      scan(
          unit,
          new KeyByPartition.Keyer.Sink() {
            @Override
            public void keyed(PartitionKey key, byte[] sortKey, byte[] payload) throws IOException {
              if (buffer.add(key, sortKey, payload)) {
                buffer.spill(out.get(SPILL_INDEX)::output);
              }
            }

            @Override
            public void deadLetter(DeadLetter letter) {
              out.get(DEAD_LETTER).output(letter);
            }
          });
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws IOException {
      buffer.spill(path -> c.output(SPILL_INDEX, path, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE));
    }
  }
}
