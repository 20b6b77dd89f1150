package org.beamarchiver.transforms;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.io.source.Throttle;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.DeadLetter;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.PartitionKeyCoder;
import org.beamarchiver.model.Rollup;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.model.SourceRow;

/**
 * Keys each row by its partition, (batch, ISO week of the time column in UTC), and encodes it for
 * the sorted write: the key is the primary-key sort key, the value is the row's time, collection
 * and CSV record. Rows outside the request, or in partitions already archived, are dropped and
 * counted; rows that cannot be keyed (null or empty batch, null time) go to {@link #DEAD_LETTER}.
 */
public final class KeyByPartition
    extends PTransform<PCollection<SourceRow>, PCollectionTuple> {

  public static final TupleTag<KV<PartitionKey, KV<byte[], byte[]>>> KEYED =
      new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTER = new TupleTag<>() {};

  private final RowLayout layout;
  private final ArchiveRequest request;
  private final Set<PartitionKey> alreadyArchived;
  private final Set<PartitionKey> only;
  private double readsPerSecond;

  public KeyByPartition(
      RowLayout layout, ArchiveRequest request, Set<PartitionKey> alreadyArchived) {
    this(layout, request, alreadyArchived, null);
  }

  /**
   * @param skipped partitions whose rows are dropped (already archived, or failed too often)
   * @param only when not null, the only partitions kept (a plan's); rows of others are counted
   *     as outside the request
   */
  public KeyByPartition(
      RowLayout layout, ArchiveRequest request, Set<PartitionKey> skipped, Set<PartitionKey> only) {
    this.layout = layout;
    this.request = request;
    this.alreadyArchived = skipped;
    this.only = only == null ? null : Set.copyOf(only);
  }

  /** Each worker keys (and so reads) at most {@code perWorker} rows per second. */
  public KeyByPartition throttled(double perWorker) {
    this.readsPerSecond = perWorker;
    return this;
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRow> rows) {
    PCollectionTuple out =
        rows.apply(
            "KeyRows",
            ParDo.of(new KeyByPartitionFn(new Keyer(layout, request, alreadyArchived, only, readsPerSecond)))
                .withOutputTags(KEYED, TupleTagList.of(DEAD_LETTER)));
    out.get(KEYED)
        .setCoder(
            KvCoder.of(
                PartitionKeyCoder.of(), KvCoder.of(ByteArrayCoder.of(), ByteArrayCoder.of())));
    out.get(DEAD_LETTER).setCoder(SerializableCoder.of(DeadLetter.class));
    return out;
  }

  /**
   * A keyed row's value: its time, its collection and {@link Rollup} values (texts that travel
   * with the record to the file writer), then its CSV line. Internal to one run.
   */
  public static final class Payload {
    public final long timeMillis;
    public final String collection;
    /** The row's {@link Rollup#values}. */
    public final String[] rollup;
    /** Where the CSV line starts in the encoded value; it runs to the end. */
    public final int lineOffset;
    private final byte[] value;

    private Payload(long timeMillis, String collection, String[] rollup, int lineOffset, byte[] value) {
      this.timeMillis = timeMillis;
      this.collection = collection;
      this.rollup = rollup;
      this.lineOffset = lineOffset;
      this.value = value;
    }

    /** A copy of the CSV line's bytes. */
    public byte[] line() {
      return Arrays.copyOfRange(value, lineOffset, value.length);
    }

    static byte[] encode(long timeMillis, String collection, String[] rollup, String line) {
      byte[] l = line.getBytes(StandardCharsets.UTF_8);
      return encode(timeMillis, collection, rollup, l, l.length);
    }

    /** The payload of a row whose CSV line is {@code line[0, lineLength)}. */
    static byte[] encode(long timeMillis, String collection, String[] rollup, byte[] line, int lineLength) {
      byte[][] texts = new byte[1 + rollup.length][];
      int size = 8 + 4 + 4 * texts.length;
      for (int i = 0; i < texts.length; i++) {
        String t = i == 0 ? collection : rollup[i - 1];
        texts[i] = t == null ? null : t.getBytes(StandardCharsets.UTF_8);
        size += t == null ? 0 : texts[i].length;
      }
      byte[] out = new byte[size + lineLength];
      int at = putLong(out, 0, timeMillis);
      at = putInt(out, at, texts.length);
      for (byte[] t : texts) {
        at = putInt(out, at, t == null ? -1 : t.length);
        if (t != null) {
          System.arraycopy(t, 0, out, at, t.length);
          at += t.length;
        }
      }
      System.arraycopy(line, 0, out, at, lineLength);
      return out;
    }

    public static Payload decode(byte[] value) {
      long time = 0;
      for (int i = 0; i < 8; i++) {
        time = (time << 8) | (value[i] & 0xff);
      }
      int n = getInt(value, 8);
      int at = 12;
      String collection = null;
      String[] rollup = new String[Math.max(0, n - 1)];
      for (int i = 0; i < n; i++) {
        int len = getInt(value, at);
        at += 4;
        String t = len < 0 ? null : new String(value, at, len, StandardCharsets.UTF_8);
        at += Math.max(len, 0);
        if (i == 0) {
          collection = t;
        } else {
          rollup[i - 1] = t;
        }
      }
      return new Payload(time, collection, rollup, at, value);
    }

    private static int putLong(byte[] b, int at, long v) {
      for (int i = 0; i < 8; i++) {
        b[at + i] = (byte) (v >>> (56 - 8 * i));
      }
      return at + 8;
    }

    private static int putInt(byte[] b, int at, int v) {
      for (int i = 0; i < 4; i++) {
        b[at + i] = (byte) (v >>> (24 - 8 * i));
      }
      return at + 4;
    }

    private static int getInt(byte[] b, int at) {
      return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
  }

  /**
   * The keying decision for one row, shared by {@link KeyByPartitionFn} and the fused read of the
   * DirectRunner ({@link ReadKeyAndSpill}), with the counters both report.
   */
  public static final class Keyer implements java.io.Serializable {
    private final Counter rowsKept = Metrics.counter("archive", "rowsKept");
    private final Counter rowsOutside = Metrics.counter("archive", "rowsOutsideRequest");
    private final Counter rowsAlreadyArchived = Metrics.counter("archive", "rowsAlreadyArchived");
    private final Counter deadLetters = Metrics.counter("archive", "deadLetters");

    private final RowLayout layout;
    private final ArchiveRequest request;
    private final Set<PartitionKey> alreadyArchived;
    private final Set<PartitionKey> only;
    /** Rows per second this instance may read (the run's limit over its workers); 0: no limit. */
    private final double readsPerSecond;
    private transient Throttle throttle;
    private transient CsvLines.Utf8Record record;

    public Keyer(
        RowLayout layout, ArchiveRequest request, Set<PartitionKey> alreadyArchived, Set<PartitionKey> only) {
      this(layout, request, alreadyArchived, only, 0);
    }

    public Keyer(
        RowLayout layout, ArchiveRequest request, Set<PartitionKey> alreadyArchived, Set<PartitionKey> only,
        double readsPerSecond) {
      this.layout = layout;
      this.request = request;
      this.alreadyArchived = alreadyArchived;
      this.only = only == null ? null : Set.copyOf(only);
      this.readsPerSecond = readsPerSecond;
    }

    /** The same keying, read at most {@code perWorker} rows per second by each worker. */
    public Keyer throttled(double perWorker) {
      return new Keyer(layout, request, alreadyArchived, only, perWorker);
    }

    /** Where a row goes. */
    public interface Sink {
      void keyed(PartitionKey key, byte[] sortKey, byte[] payload) throws java.io.IOException;

      void deadLetter(DeadLetter letter);
    }

    public void key(SourceRow row, Sink sink) throws java.io.IOException {
      // Each row is keyed as it is read (the steps are fused): waiting here slows the read.
      if (throttle == null) {
        throttle = Throttle.perSecond(readsPerSecond);
      }
      throttle.acquire(1);
      String batch = row.values()[layout.batch()];
      if (batch == null || batch.isEmpty()) {
        deadLetters.inc();
        sink.deadLetter(new DeadLetter("empty or null batch column '" + layout.batchColumn() + "'", csvLine(row)));
        return;
      }
      if (!row.hasTime()) {
        deadLetters.inc();
        sink.deadLetter(new DeadLetter("null time column '" + layout.timeColumn() + "'", csvLine(row)));
        return;
      }
      if (!request.covers(batch, row.timeMillis())) {
        rowsOutside.inc();
        return;
      }
      PartitionKey key = PartitionKey.of(batch, IsoWeek.ofEpochMillis(row.timeMillis()));
      if (alreadyArchived.contains(key)) {
        rowsAlreadyArchived.inc();
        return;
      }
      if (only != null && !only.contains(key)) {
        rowsOutside.inc();
        return;
      }
      byte[] sortKey = SortKeys.of(row.values(), layout.primaryKey());
      if (record == null) {
        record = new CsvLines.Utf8Record();
      }
      csvLine(row, record);
      byte[] payload =
          Payload.encode(
              row.timeMillis(), row.values()[layout.collection()], layout.rollup().values(row.values()),
              record.bytes(), record.length());
      sink.keyed(key, sortKey, payload);
      rowsKept.inc();
    }
  }

  static final class KeyByPartitionFn
      extends DoFn<SourceRow, KV<PartitionKey, KV<byte[], byte[]>>> {
    private final Keyer keyer;

    KeyByPartitionFn(Keyer keyer) {
      this.keyer = keyer;
    }

    @ProcessElement
    public void process(@Element SourceRow row, MultiOutputReceiver out) throws java.io.IOException {
      keyer.key(
          row,
          new Keyer.Sink() {
            @Override
            public void keyed(PartitionKey key, byte[] sortKey, byte[] payload) {
              out.get(KEYED).output(KV.of(key, KV.of(sortKey, payload)));
            }

            @Override
            public void deadLetter(DeadLetter letter) {
              out.get(DEAD_LETTER).output(letter);
            }
          });
    }
  }

  /** {@link #csvLine(SourceRow)}'s bytes, built in {@code record}. */
  static void csvLine(SourceRow row, CsvLines.Utf8Record record) {
    record.start();
    for (String v : row.values()) {
      record.field(v);
    }
    record.field(row.writeTimeMicros() == SourceRow.NO_WRITE_TIME ? null : Long.toString(row.writeTimeMicros()));
    record.end();
  }

  /** The row's archive record: its columns, then its write time (empty when unknown). */
  public static String csvLine(SourceRow row) {
    Object[] fields = Arrays.copyOf(row.values(), row.values().length + 1, Object[].class);
    fields[row.values().length] =
        row.writeTimeMicros() == SourceRow.NO_WRITE_TIME
            ? null
            : Long.toString(row.writeTimeMicros());
    return CsvLines.line(fields);
  }
}
