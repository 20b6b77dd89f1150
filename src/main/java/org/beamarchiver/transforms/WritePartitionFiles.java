package org.beamarchiver.transforms;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.model.ArchivedFile;
import org.beamarchiver.model.PartitionKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one gzip CSV file per partition, rows sorted by primary key ({@link ExternalSorter}
 * spills to local disk when a partition outgrows {@code --sortMemoryMb}), through gzip, SHA-256 and counters in one pass, into a temporary
 * object that is renamed to its final name only when complete. A partition that fails to write
 * comes out as a failed {@link ArchivedFile}; the others go on.
 */
public final class WritePartitionFiles
    extends PTransform<PCollection<KV<PartitionKey, KV<byte[], byte[]>>>, PCollection<ArchivedFile>> {

  private final FileSettings settings;

  /** Where and how files are written. */
  public record FileSettings(
      String archiveRoot,
      String archiveType,
      String runId,
      long runEpochMillis,
      List<String> header,
      int gzipLevel,
      int sortMemoryMb)
      implements java.io.Serializable {}

  public WritePartitionFiles(FileSettings settings) {
    this.settings = settings;
  }

  @Override
  public PCollection<ArchivedFile> expand(PCollection<KV<PartitionKey, KV<byte[], byte[]>>> rows) {
    return rows.apply("GroupByPartition", GroupByKey.create())
        .apply("SortAndWriteFile", ParDo.of(new WritePartitionFileFn(settings)))
        .setCoder(SerializableCoder.of(ArchivedFile.class));
  }

  static final class WritePartitionFileFn
      extends DoFn<KV<PartitionKey, Iterable<KV<byte[], byte[]>>>, ArchivedFile> {
    private static final Logger LOG = LoggerFactory.getLogger(WritePartitionFileFn.class);
    private final Counter partitionsWritten = Metrics.counter("archive", "partitionsWritten");
    private final Counter partitionsFailed = Metrics.counter("archive", "partitionsFailed");
    private final Counter rowsWritten = Metrics.counter("archive", "rowsWritten");
    private final Counter bytesWritten = Metrics.counter("archive", "bytesWritten");
    private final Distribution rowsPerFile = Metrics.distribution("archive", "rowsPerFile");

    private final FileSettings settings;

    WritePartitionFileFn(FileSettings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(
        @Element KV<PartitionKey, Iterable<KV<byte[], byte[]>>> partition,
        OutputReceiver<ArchivedFile> out) {
      PartitionKey key = partition.getKey();
      String finalName =
          ArchivePaths.archiveFile(
              settings.archiveRoot(), settings.archiveType(), key, settings.runEpochMillis());
      String tempName =
          ArchivePaths.tempFile(
              settings.archiveRoot(), settings.runId(), key, settings.runEpochMillis());
      ResourceId temp = FileSystems.matchNewResource(tempName, false);
      ResourceId target = FileSystems.matchNewResource(finalName, false);
      try {
        ArchivedFile file = write(key, partition.getValue(), temp, finalName);
        FileSystems.rename(List.of(temp), List.of(target));
        partitionsWritten.inc();
        rowsWritten.inc(file.rowCount());
        bytesWritten.inc(file.byteSize());
        rowsPerFile.update(file.rowCount());
        out.output(file);
      } catch (Exception e) {
        partitionsFailed.inc();
        LOG.error("partition {} failed: {}", key, e.toString(), e);
        deleteQuietly(temp);
        out.output(ArchivedFile.failed(key, "write failed: " + e));
      }
    }

    private ArchivedFile write(
        PartitionKey key, Iterable<KV<byte[], byte[]>> rows, ResourceId temp, String finalName)
        throws IOException {
      MessageDigest sha = sha256();
      long rowCount = 0;
      long minTime = Long.MAX_VALUE;
      long maxTime = Long.MIN_VALUE;
      TreeSet<String> collections = new TreeSet<>();
      CountingOutputStream counted;
      try (ExternalSorter sorter =
              new ExternalSorter(
                  (long) settings.sortMemoryMb() << 20,
                  Path.of(System.getProperty("java.io.tmpdir"), "beam-archiver-sort"));
          WritableByteChannel channel = FileSystems.create(temp, "application/gzip")) {
        for (KV<byte[], byte[]> row : rows) {
          sorter.add(row.getKey(), row.getValue());
        }
        Iterator<byte[][]> sorted = sorter.sorted();
        counted = new CountingOutputStream(new DigestOutputStream(Channels.newOutputStream(channel), sha));
        GZIPOutputStream gzip = new LeveledGzip(counted, settings.gzipLevel());
        gzip.write(
            CsvLines.line(settings.header().toArray()).getBytes(StandardCharsets.UTF_8));
        while (sorted.hasNext()) {
          KeyByPartition.Payload p = KeyByPartition.Payload.decode(sorted.next()[1]);
          gzip.write(p.line);
          rowCount++;
          minTime = Math.min(minTime, p.timeMillis);
          maxTime = Math.max(maxTime, p.timeMillis);
          if (p.collection != null && collections.size() < 64) {
            collections.add(p.collection);
          }
        }
        gzip.finish();
        gzip.flush();
      }
      return new ArchivedFile(
          key,
          collections.isEmpty() ? null : String.join(",", collections),
          finalName,
          rowCount,
          counted.count,
          HexFormat.of().formatHex(sha.digest()),
          minTime,
          maxTime,
          null);
    }

    private static void deleteQuietly(ResourceId id) {
      try {
        FileSystems.delete(List.of(id), StandardMoveOptions.IGNORE_MISSING_FILES);
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not remove temporary object {}: {}", id, e.toString());
      }
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** gzip with a chosen level; the header carries no time stamp, so same rows give same bytes. */
  static final class LeveledGzip extends GZIPOutputStream {
    LeveledGzip(OutputStream out, int level) throws IOException {
      super(out, 1 << 16);
      def.setLevel(level);
    }
  }

  static final class CountingOutputStream extends java.io.FilterOutputStream {
    long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
