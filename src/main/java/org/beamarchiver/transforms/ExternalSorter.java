package org.beamarchiver.transforms;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Sorts (key, value) byte pairs by unsigned lexicographic key order in bounded memory: records
 * are buffered up to a budget, then sorted and spilled to a run file on local disk; reading merges
 * the runs. A partition larger than memory therefore still sorts. (Beam's sorter extension would
 * do this, but its artifacts do not resolve from Maven Central for Beam 2.62.)
 */
public final class ExternalSorter implements Closeable {
  private static final Comparator<byte[]> KEY_ORDER = Arrays::compareUnsigned;
  private static final long RECORD_OVERHEAD = 64;

  private final long memoryBudgetBytes;
  private final Path spillDir;
  private final List<byte[][]> buffer = new ArrayList<>();
  private final List<Path> runs = new ArrayList<>();
  private long buffered;
  private boolean sorted;

  public ExternalSorter(long memoryBudgetBytes, Path spillDir) {
    this.memoryBudgetBytes = memoryBudgetBytes;
    this.spillDir = spillDir;
  }

  public void add(byte[] key, byte[] value) throws IOException {
    if (sorted) {
      throw new IllegalStateException("add after sort");
    }
    buffer.add(new byte[][] {key, value});
    buffered += key.length + value.length + RECORD_OVERHEAD;
    if (buffered >= memoryBudgetBytes) {
      spill();
    }
  }

  /** How many runs went to disk so far (0 when everything fitted in memory). */
  public int spilledRuns() {
    return runs.size();
  }

  private void spill() throws IOException {
    buffer.sort((a, b) -> KEY_ORDER.compare(a[0], b[0]));
    Files.createDirectories(spillDir);
    Path run = Files.createTempFile(spillDir, "sort-run-", ".bin");
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), 1 << 16))) {
      for (byte[][] r : buffer) {
        writeRecord(out, r[0], r[1]);
      }
    }
    runs.add(run);
    buffer.clear();
    buffered = 0;
  }

  /** All records in key order. Call once, after the last {@link #add}. */
  public Iterator<byte[][]> sorted() throws IOException {
    sorted = true;
    buffer.sort((a, b) -> KEY_ORDER.compare(a[0], b[0]));
    if (runs.isEmpty()) {
      return buffer.iterator();
    }
    List<Iterator<byte[][]>> sources = new ArrayList<>();
    for (Path run : runs) {
      sources.add(new RunReader(run));
    }
    sources.add(buffer.iterator());
    return new Merge(sources);
  }

  @Override
  public void close() throws IOException {
    for (Path run : runs) {
      Files.deleteIfExists(run);
    }
    runs.clear();
    buffer.clear();
  }

  /** Writes one (key, value) record in the run format. */
  static void writeRecord(DataOutputStream out, byte[] key, byte[] value) throws IOException {
    out.writeInt(key.length);
    out.write(key);
    out.writeInt(value.length);
    out.write(value);
  }

  /** Bytes {@link #writeRecord} takes for a record. */
  static long recordBytes(byte[] key, byte[] value) {
    return 8L + key.length + value.length;
  }

  /** Reads {@code limit} records (or to the end when negative) in the run format. */
  static Iterator<byte[][]> readRecords(java.io.InputStream in, long limit) {
    return new RunReader(new DataInputStream(in), limit);
  }

  /** Merges key-sorted sources into one key-sorted iterator. */
  static Iterator<byte[][]> merge(List<Iterator<byte[][]>> sources) {
    return new Merge(sources);
  }

  private static final class RunReader implements Iterator<byte[][]> {
    private final DataInputStream in;
    private long remaining;
    private byte[][] next;

    RunReader(Path run) throws IOException {
      this(new DataInputStream(new BufferedInputStream(Files.newInputStream(run), 1 << 16)), -1);
    }

    RunReader(DataInputStream in, long limit) {
      this.in = in;
      this.remaining = limit;
      advance();
    }

    private void advance() {
      if (remaining == 0) {
        next = null;
        closeQuietly();
        return;
      }
      if (remaining > 0) {
        remaining--;
      }
      try {
        int kl = in.readInt();
        byte[] k = in.readNBytes(kl);
        int vl = in.readInt();
        byte[] v = in.readNBytes(vl);
        if (k.length != kl || v.length != vl) {
          throw new IOException("truncated sort run");
        }
        next = new byte[][] {k, v};
      } catch (EOFException e) {
        next = null;
        closeQuietly();
      } catch (IOException e) {
        closeQuietly();
        throw new UncheckedIOException(e);
      }
    }

    private void closeQuietly() {
      try {
        in.close();
      } catch (IOException ignored) {
        // the run file is deleted by the sorter
      }
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public byte[][] next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      byte[][] r = next;
      advance();
      return r;
    }
  }

  private static final class Merge implements Iterator<byte[][]> {
    private record Head(byte[][] record, Iterator<byte[][]> source) {}

    private final PriorityQueue<Head> heads =
        new PriorityQueue<>((a, b) -> KEY_ORDER.compare(a.record[0], b.record[0]));

    Merge(List<Iterator<byte[][]>> sources) {
      for (Iterator<byte[][]> s : sources) {
        if (s.hasNext()) {
          heads.add(new Head(s.next(), s));
        }
      }
    }

    @Override
    public boolean hasNext() {
      return !heads.isEmpty();
    }

    @Override
    public byte[][] next() {
      Head h = heads.poll();
      if (h == null) {
        throw new NoSuchElementException();
      }
      if (h.source.hasNext()) {
        heads.add(new Head(h.source.next(), h.source));
      }
      return h.record;
    }
  }
}
