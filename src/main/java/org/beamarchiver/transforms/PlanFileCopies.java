package org.beamarchiver.transforms;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.io.files.FileLists;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.SourceFile;

/**
 * Which files of each partition this run copies. A partition not archived yet copies every file
 * it holds. An archived one is left alone unless a file has appeared in it since (a path its
 * file list does not hold): then the run archives the partition's next iteration, self-contained,
 * its list holding every file of the week: those at the source now, and those archived earlier
 * that are gone from the source since (a delete), copied from the earlier iteration's copies and
 * checked against their recorded SHA-256. A file rewritten at the source since is not by itself a
 * reason for a new iteration (the delete keeps it, reported). Before a partition's files are
 * emitted, its file list's name is recorded in the ledger (write-ahead), so that a run that dies
 * while copying leaves a pending row the next run's reconciliation resolves.
 */
public final class PlanFileCopies
    extends PTransform<PCollection<KV<PartitionKey, Iterable<SourceFile>>>, PCollection<KV<PartitionKey, SourceFile>>> {
  private final Map<PartitionKey, String> archivedLists;
  private final String root;
  private final String type;
  private final long epochMillis;
  private final WritePartitionFiles.WriteAhead writeAhead;

  /**
   * @param archivedLists the archived (SUCCESS) partitions of the request and their file lists
   * @param epochMillis the time in the names of this run's folders and lists
   */
  public PlanFileCopies(
      Map<PartitionKey, String> archivedLists, String root, String type, long epochMillis,
      WritePartitionFiles.WriteAhead writeAhead) {
    this.archivedLists = Map.copyOf(archivedLists);
    this.root = root;
    this.type = type;
    this.epochMillis = epochMillis;
    this.writeAhead = writeAhead;
  }

  @Override
  public PCollection<KV<PartitionKey, SourceFile>> expand(PCollection<KV<PartitionKey, Iterable<SourceFile>>> partitions) {
    return partitions.apply("PlanPartitionCopies", ParDo.of(new PlanPartitionCopiesFn(this))).setCoder(DateFiles.CODER);
  }

  /** What a run does with a partition: archive it (first or next iteration), or leave it as archived. */
  public enum Action {
    ARCHIVE,
    NEXT_ITERATION,
    UP_TO_DATE
  }

  /**
   * A partition's decision: the action, its files at the source now (count and bytes), how many
   * of them its archived list does not hold, and the archived files gone from the source since,
   * to be carried over from the earlier copies (empty unless NEXT_ITERATION).
   */
  public record Decision(Action action, long files, long bytes, long appeared, List<SourceFile> carried) {}

  /** The decision for a partition whose files at the source are {@code files}, archived as {@code earlierList} (or null). */
  public static Decision decide(Iterable<SourceFile> files, String earlierList) throws java.io.IOException {
    long count = 0;
    long bytes = 0;
    if (earlierList == null) {
      for (SourceFile f : files) {
        count++;
        bytes += f.bytes();
      }
      return new Decision(Action.ARCHIVE, count, bytes, count, List.of());
    }
    List<FileLists.Line> lines = FileLists.read(earlierList).lines();
    Map<String, FileLists.Line> byPath = lines.stream().collect(Collectors.toMap(FileLists.Line::path, l -> l));
    Set<String> present = new java.util.HashSet<>();
    long appeared = 0;
    for (SourceFile f : files) {
      present.add(f.path());
      if (!byPath.containsKey(f.path())) {
        appeared++;
      }
      count++;
      bytes += f.bytes();
    }
    if (appeared == 0) {
      return new Decision(Action.UP_TO_DATE, count, bytes, 0, List.of());
    }
    String folder = ArchivePaths.companionFolder(earlierList);
    List<SourceFile> carry = new java.util.ArrayList<>();
    for (FileLists.Line l : lines) {
      if (!present.contains(l.path())) {
        carry.add(new SourceFile(l.path(), folder + "/" + l.path(), l.bytes(), l.modifiedMillis(), l.sha256()));
      }
    }
    return new Decision(Action.NEXT_ITERATION, count, bytes, appeared, List.copyOf(carry));
  }

  static final class PlanPartitionCopiesFn extends DoFn<KV<PartitionKey, Iterable<SourceFile>>, KV<PartitionKey, SourceFile>> {
    private final Map<PartitionKey, String> archivedLists;
    private final String root;
    private final String type;
    private final long epochMillis;
    private final WritePartitionFiles.WriteAhead writeAhead;
    private final Counter upToDate = Metrics.counter("archive", "partitionsAlreadyArchived");
    private final Counter skippedFiles = Metrics.counter("archive", "filesAlreadyArchived");
    private final Counter carried = Metrics.counter("archive", "filesCarriedOver");

    PlanPartitionCopiesFn(PlanFileCopies t) {
      this.archivedLists = t.archivedLists;
      this.root = t.root;
      this.type = t.type;
      this.epochMillis = t.epochMillis;
      this.writeAhead = t.writeAhead;
    }

    @ProcessElement
    public void process(@Element KV<PartitionKey, Iterable<SourceFile>> partition, OutputReceiver<KV<PartitionKey, SourceFile>> out)
        throws Exception {
      PartitionKey key = partition.getKey();
      Decision d = decide(partition.getValue(), archivedLists.get(key));
      if (d.action() == Action.UP_TO_DATE) {
        upToDate.inc();
        skippedFiles.inc(d.files());
        return;
      }
      writeAhead.beforeWrite(Map.of(key, ArchivePaths.fileList(root, type, key, epochMillis)));
      for (SourceFile f : partition.getValue()) {
        out.output(KV.of(key, f));
      }
      for (SourceFile f : d.carried()) {
        carried.inc();
        out.output(KV.of(key, f));
      }
    }

    @Teardown
    public void teardown() {
      writeAhead.close();
    }
  }
}
