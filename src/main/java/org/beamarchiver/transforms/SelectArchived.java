package org.beamarchiver.transforms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.PartitionKey;

/**
 * The partitions a delete or restore works on, read from a list the launcher wrote next to the
 * run's temporary files rather than carried in the job graph: a {@code Create.of} of 100,000
 * partitions is ~50 MB of graph, over Dataflow's job request limit and shipped by Flink's
 * JobManager to every task. One partition per line, tab-separated, ids escaped as in object names.
 */
public final class SelectArchived extends PTransform<PBegin, PCollection<ArchivedPartition>> {
  private final String listPath;

  private SelectArchived(String listPath) {
    this.listPath = listPath;
  }

  /** Writes the list under the run's temporary folder and returns the step that reads it. */
  public static SelectArchived of(String archiveRoot, String runId, List<ArchivedPartition> partitions)
      throws IOException {
    StringBuilder b = new StringBuilder(partitions.size() * 256);
    for (ArchivedPartition p : partitions) {
      b.append(p.uuid()).append('\t')
          .append(ArchivePaths.escape(p.partition().batchId())).append('\t')
          .append(p.partition().period()).append('\t')
          .append(ArchivePaths.escape(p.blobUrl())).append('\t')
          .append(p.rowCount()).append('\t')
          .append(p.byteSize()).append('\t')
          .append(p.sha256()).append('\t')
          .append(p.familyFiles() == null ? "" : ArchivePaths.escape(p.familyFiles())).append('\n');
    }
    String path = ArchivePaths.tempDir(archiveRoot, runId) + "partitions-" + System.nanoTime() + ".tsv";
    Stores.write(path, "text/tab-separated-values", b.toString().getBytes(StandardCharsets.UTF_8));
    return new SelectArchived(path);
  }

  static ArchivedPartition parse(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != 8) {
      throw new IllegalStateException("malformed partition list line (" + f.length + " fields): " + line);
    }
    return new ArchivedPartition(
        f[0],
        PartitionKey.of(ArchivePaths.unescape(f[1]), IsoWeek.parse(f[2])),
        ArchivePaths.unescape(f[3]),
        Long.parseLong(f[4]),
        Long.parseLong(f[5]),
        f[6],
        f[7].isEmpty() ? null : ArchivePaths.unescape(f[7]));
  }

  @Override
  public PCollection<ArchivedPartition> expand(PBegin input) {
    return input
        .apply("ReadPartitionList", TextIO.read().from(listPath))
        .apply("ParsePartitions", ParDo.of(new ParsePartitionFn()))
        .setCoder(SerializableCoder.of(ArchivedPartition.class));
  }

  static final class ParsePartitionFn extends DoFn<String, ArchivedPartition> {
    @ProcessElement
    public void process(@Element String line, OutputReceiver<ArchivedPartition> out) {
      if (!line.isEmpty()) {
        out.output(parse(line));
      }
    }
  }
}
