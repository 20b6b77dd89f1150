package org.beamarchiver.transforms;

import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.io.files.FileCopies;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.model.CopiedFile;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.PartitionKeyCoder;
import org.beamarchiver.model.SourceFile;
import org.beamarchiver.retry.Crash;

/**
 * Each file copied, spread over the workers (one file per element, whatever partition it is in),
 * into its partition's folder of this iteration under its path. A copy that fails (the file gone,
 * an outage past --maxOutageSeconds, a carried-over copy whose bytes no longer have their SHA-256)
 * comes out with its error, and fails its partition only.
 */
public final class CopyFiles
    extends PTransform<PCollection<KV<PartitionKey, SourceFile>>, PCollection<KV<PartitionKey, CopiedFile>>> {
  private final String root;
  private final String type;
  private final long epochMillis;

  public CopyFiles(String root, String type, long epochMillis) {
    this.root = root;
    this.type = type;
    this.epochMillis = epochMillis;
  }

  @Override
  public PCollection<KV<PartitionKey, CopiedFile>> expand(PCollection<KV<PartitionKey, SourceFile>> files) {
    return files
        .apply("SpreadFiles", Reshuffle.viaRandomKey())
        .apply("CopyFile", ParDo.of(new CopyFileFn(root, type, epochMillis)))
        .setCoder(KvCoder.of(PartitionKeyCoder.of(), SerializableCoder.of(CopiedFile.class)));
  }

  static final class CopyFileFn extends DoFn<KV<PartitionKey, SourceFile>, KV<PartitionKey, CopiedFile>> {
    private final String root;
    private final String type;
    private final long epochMillis;
    private final Counter copied = Metrics.counter("archive", "filesCopied");
    private final Counter bytes = Metrics.counter("archive", "bytesCopied");
    private final Counter failed = Metrics.counter("archive", "filesFailed");

    CopyFileFn(String root, String type, long epochMillis) {
      this.root = root;
      this.type = type;
      this.epochMillis = epochMillis;
    }

    @ProcessElement
    public void process(@Element KV<PartitionKey, SourceFile> e, OutputReceiver<KV<PartitionKey, CopiedFile>> out) {
      SourceFile f = e.getValue();
      String copy = ArchivePaths.filesFolder(root, type, e.getKey(), epochMillis) + "/" + f.path();
      String error = null;
      String sha = null;
      try {
        FileCopies.Copied c = FileCopies.copy(f.uri(), copy);
        if (f.sha256() != null && !f.sha256().equals(c.sha256())) {
          error = "the earlier copy " + f.uri() + " no longer has its recorded SHA-256";
        } else if (c.bytes() != f.bytes()) {
          error = f.uri() + " changed while it was copied (" + f.bytes() + " bytes listed, " + c.bytes() + " copied)";
        } else {
          sha = c.sha256();
          copied.inc();
          bytes.inc(c.bytes());
          Crash.point("copied");
        }
      } catch (Exception ex) {
        error = "cannot copy " + f.uri() + ": " + ex.getMessage();
      }
      if (error != null) {
        failed.inc();
      }
      out.output(KV.of(e.getKey(), new CopiedFile(f, copy, sha, error)));
    }
  }
}
