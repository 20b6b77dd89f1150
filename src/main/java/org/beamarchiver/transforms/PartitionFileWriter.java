package org.beamarchiver.transforms;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.io.format.ParquetRows;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Checksums;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.model.ArchiveFormat;
import org.beamarchiver.model.ArchivedFile;
import org.beamarchiver.model.FamilyFile;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.RollupStats;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.ValueType;
import org.beamarchiver.retry.Outage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one partition's key-sorted records as its archive file, in the run's format (gzip CSV:
 * header, then each record's line; Parquet: each record's values), through SHA-256 and counters
 * in one pass, into a temporary object renamed to its
 * final name only when complete. Failures come back as a failed {@link ArchivedFile}.
 */
final class PartitionFileWriter {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionFileWriter.class);
  private static final org.apache.beam.sdk.metrics.Counter BYTES_WRITTEN =
      org.apache.beam.sdk.metrics.Metrics.counter("archive", "bytesWritten");

  private PartitionFileWriter() {}

  /** A partition's records in key order, opened again for each try of its write. */
  @FunctionalInterface
  interface SortedRows {
    Iterator<byte[][]> open() throws IOException;
  }

  /** The partition's archive object, once published. */
  static String finalName(WritePartitionFiles.FileSettings settings, PartitionKey key) {
    return ArchivePaths.archiveFile(
        settings.archiveRoot(), settings.archiveType(), key, settings.runEpochMillis(), settings.format());
  }

  /**
   * Writes and publishes one partition's file; {@code recorded}: its write-ahead is already in the
   * ledger (else it is recorded first).
   */
  static ArchivedFile writeAndPublish(
      WritePartitionFiles.FileSettings settings, PartitionKey key, SortedRows sorted, boolean recorded) {
    String finalName = finalName(settings, key);
    String tempName =
        ArchivePaths.tempFile(
            settings.archiveRoot(), settings.runId(), key, settings.runEpochMillis(), settings.format());
    ResourceId temp = FileSystems.matchNewResource(tempName, false);
    ResourceId target = FileSystems.matchNewResource(finalName, false);
    try {
      if (!recorded) {
        settings.writeAhead().beforeWrite(java.util.Map.of(key, finalName));
      }
    } catch (Exception e) {
      LOG.error("partition {} failed: could not record the write-ahead: {}", key, e.toString(), e);
      return ArchivedFile.failed(key, "write-ahead failed: " + e);
    }
    // An object store that fails or answers "later" is ridden out: the write starts over from the
    // first row (the rows are opened again) into the same temporary object, for up to the outage
    // budget; the rename is an idempotent step of its own. Past the budget the run gives up (the
    // next partition would only wait as long again); any other failure fails this partition only.
    boolean[] retry = {false};
    try {
      ArchivedFile file =
          settings.outage().call(
              "write " + finalName,
              () -> {
                if (retry[0]) {
                  FileSystems.delete(leftovers(settings, temp, tempName, finalName), StandardMoveOptions.IGNORE_MISSING_FILES);
                }
                retry[0] = true;
                if (settings.format() == ArchiveFormat.SQLITE) {
                  return FamilyFileWriter.writeSqlite(settings, key, sorted, temp, finalName);
                }
                // A cascade's members first, each beside the parent: a parent file never stands
                // without its members' files.
                List<FamilyFile> members =
                    settings.family() == null
                        ? List.of()
                        : FamilyFileWriter.writeMembers(settings, sorted, tempName, finalName);
                ArchivedFile parent = write(settings, key, sorted.open(), temp, finalName);
                return members.isEmpty() ? parent : parent.withFamilyFiles(FamilyFile.toJson(members));
              });
      if (settings.format() != ArchiveFormat.SQLITE) { // a SQLite file holds its members
        FamilyFileWriter.publish(file.family(), tempName);
      }
      Stores.rename(temp, target);
      BYTES_WRITTEN.inc(
          file.byteSize()
              + (settings.format() == ArchiveFormat.SQLITE ? 0 : file.family().stream().mapToLong(FamilyFile::bytes).sum()));
      return file;
    } catch (Outage.GaveUpException e) {
      LOG.error("partition {}: {}", key, e.getMessage());
      throw e;
    } catch (Exception e) {
      LOG.error("partition {} failed: {}", key, e.toString(), e);
      try {
        FileSystems.delete(leftovers(settings, temp, tempName, finalName), StandardMoveOptions.IGNORE_MISSING_FILES);
      } catch (IOException | RuntimeException d) {
        LOG.warn("could not remove temporary object {}: {}", temp, d.toString());
      }
      return ArchivedFile.failed(key, "write failed: " + e);
    }
  }

  /** What a failed or retried write may have left: the temporary object and the related tables' objects. */
  private static List<ResourceId> leftovers(
      WritePartitionFiles.FileSettings settings, ResourceId temp, String tempName, String finalName) {
    List<ResourceId> out = new java.util.ArrayList<>(List.of(temp));
    out.addAll(FamilyFileWriter.leftovers(settings, tempName, finalName));
    return out;
  }

  private static ArchivedFile write(
      WritePartitionFiles.FileSettings settings,
      PartitionKey key,
      Iterator<byte[][]> sorted,
      ResourceId temp,
      String finalName)
      throws IOException {
    MessageDigest sha = Checksums.sha256();
    CountingOutputStream counted;
    ArchivedFile rows;
    try (WritableByteChannel channel = FileSystems.create(temp, settings.format().mimeType())) {
      counted = new CountingOutputStream(new DigestOutputStream(Channels.newOutputStream(channel), sha));
      try (RecordSink sink = sink(settings, settings.header(), settings.valueTypes(), counted)) {
        rows = collect(settings, key, sorted, sink, finalName);
      }
    }
    return new ArchivedFile(
        key, rows.collectionIds(), finalName, rows.rowCount(), counted.count, Checksums.hex(sha), rows.minTimeMillis(),
        rows.maxTimeMillis(), null, rows.rollupJson());
  }

  /**
   * Hands each record to {@code sink} and returns what the ledger keeps of them (rows, times,
   * collections, rollup); its size and checksum are the caller's.
   */
  static ArchivedFile collect(
      WritePartitionFiles.FileSettings settings, PartitionKey key, Iterator<byte[][]> sorted, RecordSink sink,
      String finalName) throws IOException {
    long rowCount = 0;
    long minTime = Long.MAX_VALUE;
    long maxTime = Long.MIN_VALUE;
    TreeSet<String> collections = new TreeSet<>();
    RollupStats stats = settings.rollup().isEmpty() ? null : new RollupStats(settings.rollup());
    while (sorted.hasNext()) {
      byte[] value = sorted.next()[1];
      KeyByPartition.Payload p = KeyByPartition.Payload.decode(value);
      sink.write(value, p.lineOffset);
      rowCount++;
      minTime = Math.min(minTime, p.timeMillis);
      maxTime = Math.max(maxTime, p.timeMillis);
      if (p.collection != null && collections.size() < 64) {
        collections.add(p.collection);
      }
      if (stats != null) {
        stats.add(p.rollup);
      }
    }
    return new ArchivedFile(
        key, collections.isEmpty() ? null : String.join(",", collections), finalName, rowCount, 0, null, minTime,
        maxTime, null, stats == null ? null : stats.toJson());
  }

  /**
   * Where a partition's records go, each the CSV line at the end of its payload; closing it
   * completes the file and leaves the stream open (the object's channel is closed once, by its
   * owner: an object store's channel closed twice completes its upload twice).
   */
  interface RecordSink extends AutoCloseable {
    void write(byte[] payload, int lineOffset) throws IOException;

    @Override
    void close() throws IOException;
  }

  static RecordSink sink(
      WritePartitionFiles.FileSettings settings, List<String> header, List<ValueType> types, OutputStream out)
      throws IOException {
    switch (settings.format()) {
      case PARQUET:
        return parquet(header, types, out);
      case CSV_GZ:
      default:
        return csvGz(header, settings.gzipLevel(), out);
    }
  }

  /** gzip CSV: the header, then each record's line as it is. */
  private static RecordSink csvGz(List<String> header, int level, OutputStream out) throws IOException {
    GZIPOutputStream gzip = new LeveledGzip(out, level);
    gzip.write(CsvLines.line(header.toArray()).getBytes(StandardCharsets.UTF_8));
    return new RecordSink() {
      @Override
      public void write(byte[] payload, int lineOffset) throws IOException {
        gzip.write(payload, lineOffset, payload.length - lineOffset);
      }

      @Override
      public void close() throws IOException {
        gzip.finish();
        gzip.flush();
      }
    };
  }

  /** Parquet: each record's CSV line read back into its canonical texts and write time, typed. */
  private static RecordSink parquet(List<String> header, List<ValueType> types, OutputStream out)
      throws IOException {
    ParquetRows.Writer writer = ParquetRows.writer(out, header, types);
    int n = header.size();
    return new RecordSink() {
      @Override
      public void write(byte[] payload, int lineOffset) throws IOException {
        String[] fields = CsvLines.fields(payload, lineOffset, payload.length, n);
        String wt = fields[n - 1];
        writer.write(
            Arrays.copyOf(fields, n - 1), wt == null ? SourceRow.NO_WRITE_TIME : Long.parseLong(wt));
      }

      @Override
      public void close() throws IOException {
        writer.close();
      }
    };
  }

  /** gzip with a chosen level; the header carries no time stamp, so same rows give same bytes. */
  static final class LeveledGzip extends GZIPOutputStream {
    LeveledGzip(OutputStream out, int level) throws IOException {
      super(out, 1 << 16);
      def.setLevel(level);
    }
  }

  static final class CountingOutputStream extends FilterOutputStream {
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
