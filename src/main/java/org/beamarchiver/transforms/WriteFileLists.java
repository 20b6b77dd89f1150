package org.beamarchiver.transforms;

import java.nio.channels.Channels;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.io.files.FileLists;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Checksums;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.model.ArchivedFile;
import org.beamarchiver.model.CopiedFile;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.retry.Crash;

/**
 * Each partition's copies gathered into its file list (path order), written beside its folder of
 * copies, and described for the ledger: the list as the partition's object (its bytes and
 * SHA-256, the checksum over the file list), the file count as its rows, the files' modification
 * times as its time range, their count and total bytes as its roll-up. A partition with a failed
 * copy is FAILED with the first error, and no list is written.
 */
public final class WriteFileLists extends PTransform<PCollection<KV<PartitionKey, CopiedFile>>, PCollection<ArchivedFile>> {
  private final String root;
  private final String type;
  private final String location;
  private final long epochMillis;

  public WriteFileLists(String root, String type, String location, long epochMillis) {
    this.root = root;
    this.type = type;
    this.location = location;
    this.epochMillis = epochMillis;
  }

  @Override
  public PCollection<ArchivedFile> expand(PCollection<KV<PartitionKey, CopiedFile>> copies) {
    return copies
        .apply("GroupCopiesByPartition", GroupByKey.create())
        .apply("WriteFileList", ParDo.of(new WriteFileListFn(root, type, location, epochMillis)));
  }

  static final class WriteFileListFn extends DoFn<KV<PartitionKey, Iterable<CopiedFile>>, ArchivedFile> {
    private final String root;
    private final String type;
    private final String location;
    private final long epochMillis;
    private final Counter written = Metrics.counter("archive", "partitionsWritten");
    private final Counter failed = Metrics.counter("archive", "partitionsFailed");

    WriteFileListFn(String root, String type, String location, long epochMillis) {
      this.root = root;
      this.type = type;
      this.location = location;
      this.epochMillis = epochMillis;
    }

    @ProcessElement
    public void process(@Element KV<PartitionKey, Iterable<CopiedFile>> partition, OutputReceiver<ArchivedFile> out) {
      PartitionKey key = partition.getKey();
      List<FileLists.Line> lines = new ArrayList<>();
      String firstError = null;
      int errors = 0;
      long bytes = 0;
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (CopiedFile c : partition.getValue()) {
        if (!c.succeeded()) {
          errors++;
          firstError = firstError == null ? c.error() : firstError;
          continue;
        }
        lines.add(new FileLists.Line(c.file().path(), c.file().bytes(), c.sha256(), c.file().modifiedMillis()));
        bytes += c.file().bytes();
        min = Math.min(min, c.file().modifiedMillis());
        max = Math.max(max, c.file().modifiedMillis());
      }
      if (errors > 0) {
        failed.inc();
        out.output(ArchivedFile.failed(key, errors + " file(s) not copied; the first: " + firstError));
        return;
      }
      lines.sort(Comparator.comparing(FileLists.Line::path));
      String list = ArchivePaths.fileList(root, type, key, epochMillis);
      try {
        long[] size = new long[1];
        String sha =
            Stores.outage().call(
                "write " + list,
                () -> {
                  MessageDigest digest = Checksums.sha256();
                  // written inside the partition's folder of copies, then renamed beside it: a run
                  // killed while writing leaves nothing the removal of the folder does not take
                  String sibling = ArchivePaths.filesFolder(root, type, key, epochMillis) + "/.list-writing-" + UUID.randomUUID();
                  try (PartitionFileWriter.CountingOutputStream counted =
                          new PartitionFileWriter.CountingOutputStream(
                              new DigestOutputStream(
                                  Channels.newOutputStream(
                                      FileSystems.create(FileSystems.matchNewResource(sibling, false), "application/gzip")),
                                  digest));
                      GZIPOutputStream gzip = new GZIPOutputStream(counted, 1 << 16)) {
                    FileLists.write(gzip, lines);
                    gzip.finish();
                    size[0] = counted.count;
                  }
                  FileSystems.rename(
                      List.of(FileSystems.matchNewResource(sibling, false)), List.of(FileSystems.matchNewResource(list, false)));
                  return Checksums.hex(digest);
                });
        written.inc();
        Crash.point("listed");
        out.output(
            new ArchivedFile(
                key, location, list, lines.size(), size[0], sha, min, max, null,
                "{\"files\":" + lines.size() + ",\"bytes\":" + bytes + "}"));
      } catch (Exception e) {
        failed.inc();
        out.output(ArchivedFile.failed(key, "cannot write the file list " + list + ": " + e.getMessage()));
      }
    }
  }
}
