package org.beamarchiver.transforms;

import com.datastax.driver.core.ConsistencyLevel;
import com.datastax.driver.core.PagingState;
import com.datastax.driver.core.ResultSet;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.TableMetadata;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.coders.KvCoder;
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
import org.beamarchiver.io.cassandra.CassandraConnection;
import org.beamarchiver.io.cassandra.CassandraSessions;
import org.beamarchiver.io.cassandra.CassandraTable;
import org.beamarchiver.io.cassandra.SourceRowMapper;
import org.beamarchiver.model.DeadLetter;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.PartitionKeyCoder;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.spec.TableSpec;

/**
 * The SPILL shuffle's read, fused: each token range is read, keyed ({@link KeyByPartition.Keyer})
 * and spilled into sorted run files by one DoFn, so that only run index paths (and dead letters)
 * leave it. The DirectRunner keeps every output of a bundle in memory until the bundle ends and
 * schedules reads ahead of their consumers; a read that emitted rows held the whole table there.
 * Here memory is one --sortMemoryMb buffer per worker thread, whatever the table's size. The
 * merge that follows is {@link WritePartitionFiles#mergeRuns}. Reads over equal slices of the
 * Murmur3 token ring, paged by the driver.
 */
public final class ReadKeyAndSpill extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<String> RUN_INDEX = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTER = new TupleTag<>() {};

  private final CassandraConnection connection;
  private final TableSpec spec;
  private final CassandraTable table;
  private final int splits;
  private final KeyByPartition.Keyer keyer;
  private final WritePartitionFiles.FileSettings settings;

  public ReadKeyAndSpill(
      CassandraConnection connection,
      TableSpec spec,
      CassandraTable table,
      int splits,
      KeyByPartition.Keyer keyer,
      WritePartitionFiles.FileSettings settings) {
    this.connection = connection;
    this.spec = spec;
    this.table = table;
    this.splits = splits;
    this.keyer = keyer;
    this.settings = settings;
  }

  /** {@code n} slices (lo, hi] covering the Murmur3 ring, the first starting at its minimum. */
  public static List<KV<Long, Long>> ranges(int n) {
    BigInteger min = BigInteger.valueOf(Long.MIN_VALUE);
    BigInteger width = BigInteger.ONE.shiftLeft(64).divide(BigInteger.valueOf(n));
    List<KV<Long, Long>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long lo = min.add(width.multiply(BigInteger.valueOf(i))).longValueExact();
      long hi = i == n - 1 ? Long.MAX_VALUE : min.add(width.multiply(BigInteger.valueOf(i + 1))).longValueExact();
      out.add(KV.of(lo, hi));
    }
    return out;
  }

  /** The token slices, spread over workers: what both fused reads start from. */
  static PCollection<KV<Long, Long>> spreadRanges(PBegin input, int splits) {
    return input
        .apply("TokenRanges", Create.of(ranges(Math.max(1, splits))).withCoder(KvCoder.of(VarLongCoder.of(), VarLongCoder.of())))
        .apply("SpreadRanges", Reshuffle.viaRandomKey());
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    PCollectionTuple out =
        spreadRanges(input, splits)
            .apply(
                "ReadKeyAndSpillRows",
                ParDo.of(new ReadKeyAndSpillFn(this)).withOutputTags(RUN_INDEX, TupleTagList.of(DEAD_LETTER)));
    out.get(RUN_INDEX).setCoder(StringUtf8Coder.of());
    out.get(DEAD_LETTER).setCoder(SerializableCoder.of(DeadLetter.class));
    return out;
  }

  /**
   * The plan's read on the DirectRunner: the same fused read, counting rows per partition instead
   * of spilling them; only (partition, count) pairs of each bundle leave the step.
   */
  public static final class ReadKeyAndCount extends PTransform<PBegin, PCollection<KV<PartitionKey, Long>>> {
    private final ReadKeyAndSpill read;

    public ReadKeyAndCount(
        CassandraConnection connection, TableSpec spec, CassandraTable table, int splits, KeyByPartition.Keyer keyer) {
      this.read = new ReadKeyAndSpill(connection, spec, table, splits, keyer, null);
    }

    @Override
    public PCollection<KV<PartitionKey, Long>> expand(PBegin input) {
      return spreadRanges(input, read.splits)
          .apply("ReadKeyAndCountRows", ParDo.of(new ReadKeyAndCountFn(read)))
          .setCoder(KvCoder.of(PartitionKeyCoder.of(), VarLongCoder.of()))
          .apply("SumPerPartition", Sum.longsPerKey());
    }
  }

  /** Reading shared by the spilling and the counting Fn. */
  abstract static class ScanFn<OutputT> extends DoFn<KV<Long, Long>, OutputT> {
    final CassandraConnection connection;
    final TableSpec spec;
    final CassandraTable table;
    final KeyByPartition.Keyer keyer;
    transient Session session;
    transient PreparedStatement range;
    transient SourceRowMapper mapper;

    ScanFn(ReadKeyAndSpill t) {
      this.connection = t.connection;
      this.spec = t.spec;
      this.table = t.table;
      this.keyer = t.keyer;
    }

    @Setup
    public void setup() {
      session = CassandraSessions.acquire(connection);
      range = prepareRange(session, connection, spec, table);
      mapper = new SourceRowMapper(session, table.layout(), table.writeTimeColumns());
    }

    @Teardown
    public void teardown() {
      if (session != null) {
        session = null;
        CassandraSessions.release(connection);
      }
    }

    /**
     * Reads one token slice page by page. A page that fails on a timeout, a lost node or a missing
     * quorum is asked for again from where the last complete page ended (the driver's paging
     * state), with backoff, through an outage of up to the budget: no row is read twice or missed.
     */
    void scan(KV<Long, Long> slice, KeyByPartition.Keyer.Sink sink) throws IOException {
      // Murmur3 never gives a partition the minimum token, so (min, x] misses nothing.
      String what = "read token range (" + slice.getKey() + ", " + slice.getValue() + "]";
      ResultSet page = connection.outage().call(what, () -> session.execute(range.bind(slice.getKey(), slice.getValue())));
      while (true) {
        for (int n = page.getAvailableWithoutFetching(); n > 0; n--) {
          keyer.key(mapper.read(page.one()), sink);
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
  }

  static PreparedStatement prepareRange(
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
    public void process(@Element KV<Long, Long> slice) throws IOException {
      scan(
          slice,
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
    private transient WritePartitionFiles.SpillBuffer buffer;

    ReadKeyAndSpillFn(ReadKeyAndSpill t) {
      super(t);
      this.settings = t.settings;
    }

    @StartBundle
    public void start() {
      buffer = new WritePartitionFiles.SpillBuffer(settings);
    }

    @ProcessElement
    public void process(@Element KV<Long, Long> slice, MultiOutputReceiver out) throws IOException {
      scan(
          slice,
          new KeyByPartition.Keyer.Sink() {
            @Override
            public void keyed(PartitionKey key, byte[] sortKey, byte[] payload) throws IOException {
              if (buffer.add(key, sortKey, payload)) {
                buffer.spill(out.get(RUN_INDEX)::output);
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
      buffer.spill(path -> c.output(RUN_INDEX, path, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE));
    }
  }
}
