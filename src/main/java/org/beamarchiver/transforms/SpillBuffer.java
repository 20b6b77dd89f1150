package org.beamarchiver.transforms;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.values.KV;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.transforms.WritePartitionFiles.FileSettings;
import org.beamarchiver.transforms.WritePartitionFiles.Segment;
import org.beamarchiver.transforms.WritePartitionFiles.SpillIndex;

/**
 * Rows in memory up to --sortMemoryMb, then spilled sorted by (partition, key) into one run file
 * and its index (partition → segment) under the run's temporary folder.
 */
final class SpillBuffer {
  private static final Counter RUNS_SPILLED = Metrics.counter("archive", "runsSpilled");
  private final FileSettings settings;
  private final long budget;
  private final List<Object[]> buffer = new ArrayList<>();
  private long buffered;

  SpillBuffer(FileSettings settings) {
    this(settings, (long) settings.sortMemoryMb() << 20);
  }

  /** A buffer spilled past {@code budget} bytes. */
  SpillBuffer(FileSettings settings, long budget) {
    this.settings = settings;
    this.budget = Math.max(1, budget);
  }

  /** Adds a row; true when the buffer is full and should be spilled. */
  boolean add(PartitionKey partition, byte[] key, byte[] value) {
    buffer.add(new Object[] {partition, key, value});
    buffered += ExternalSorter.recordBytes(key, value) + 96;
    return buffered >= budget;
  }

  /** Writes what is buffered as one run, and hands over its index's path. */
  void spill(Consumer<String> out) throws IOException {
    if (buffer.isEmpty()) {
      return;
    }
    buffer.sort(
        (a, b) -> {
          int c = ((PartitionKey) a[0]).compareTo((PartitionKey) b[0]);
          return c != 0 ? c : Arrays.compareUnsigned((byte[]) a[1], (byte[]) b[1]);
        });
    String path = ArchivePaths.spillDir(settings.archiveRoot(), settings.runId()) + UUID.randomUUID() + ".run";
    List<KV<PartitionKey, Segment>> segments = new ArrayList<>();
    // One closeable each: an object store's channel closed twice completes its upload twice.
    try (DataOutputStream data =
        new DataOutputStream(
            new BufferedOutputStream(
                Channels.newOutputStream(
                    FileSystems.create(FileSystems.matchNewResource(path, false), "application/octet-stream")),
                1 << 16))) {
      PartitionKey current = null;
      long start = 0;
      long records = 0;
      long offset = 0;
      for (Object[] r : buffer) {
        PartitionKey k = (PartitionKey) r[0];
        if (!k.equals(current)) {
          if (current != null) {
            segments.add(KV.of(current, new Segment(path, start, records, offset - start)));
          }
          current = k;
          start = offset;
          records = 0;
        }
        byte[] key = (byte[]) r[1];
        byte[] value = (byte[]) r[2];
        ExternalSorter.writeRecord(data, key, value);
        offset += ExternalSorter.recordBytes(key, value);
        records++;
      }
      segments.add(KV.of(current, new Segment(path, start, records, offset - start)));
    }
    String index = path + ".idx";
    try (BufferedOutputStream idx =
        new BufferedOutputStream(
            Channels.newOutputStream(
                FileSystems.create(FileSystems.matchNewResource(index, false), "application/octet-stream")),
            1 << 16)) {
      SpillIndexCoder.of().encode(new SpillIndex(path, segments), idx);
    }
    RUNS_SPILLED.inc();
    buffer.clear();
    buffered = 0;
    out.accept(index);
  }
}
