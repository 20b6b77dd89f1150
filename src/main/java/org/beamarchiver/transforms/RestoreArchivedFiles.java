package org.beamarchiver.transforms;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.beamarchiver.io.files.FileCopies;
import org.beamarchiver.io.files.FileLists;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Restore;
import org.beamarchiver.ledger.RestoreStatus;
import org.beamarchiver.ledger.Restores;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.PartitionRestore;
import org.beamarchiver.retry.Crash;
import org.beamarchiver.sql.JdbcEndpoint;

/**
 * The restore of a files table's archived partitions: each partition's file list is read and held
 * to the ledger (a list that fails: nothing of it is written); then each file, spread over the
 * workers, is put back at its path under the target location, byte-identical: copied from the
 * recycle bin when the partition has an unpurged folder there holding it, else from its archived
 * copy, and landing only if the bytes read have the listed size and SHA-256. A file already at the
 * target with the listed bytes is left alone (present); one with other bytes is left alone too and
 * reported (kept); on a local target a restored file gets its archived modification time back.
 * Each partition's outcome is recorded in the ledger.
 */
public final class RestoreArchivedFiles extends PTransform<PCollection<ArchivedPartition>, PCollection<PartitionRestore>> {
  private static final TupleTag<KV<String, FileToRestore>> FILES = new TupleTag<>() {};
  private static final TupleTag<Outcome> UNVERIFIED = new TupleTag<>() {};
  /** How many paths of files kept at the target a partition's record names. */
  static final int KEPT_NAMED = 5;

  /**
   * Where files go back and what is recorded: the target location (normalized), the recycle folder
   * of each partition that has one (by file list URL), the ledger and the run.
   */
  public record Settings(
      String target, Map<String, String> recycleFolders, JdbcEndpoint ledger, String archiveType, String runId)
      implements Serializable {}

  /** One file to put back: its line, its archived copy, its copy in the bin (or null), where it goes. */
  record FileToRestore(FileLists.Line line, String copy, String recycled, String target) implements Serializable {}

  /** A partition's outcome and what its ledger record says (why it failed, or which files stayed as they were). */
  record Outcome(PartitionRestore result, String note) implements Serializable {}

  /** What the restore did to some files of a partition. */
  static final class Tally implements Serializable {
    long written;
    long fromBin;
    long present;
    long kept;
    long failed;
    String firstError;
    final List<String> keptPaths = new ArrayList<>();

    Tally merge(Tally o) {
      written += o.written;
      fromBin += o.fromBin;
      present += o.present;
      kept += o.kept;
      failed += o.failed;
      if (firstError == null) {
        firstError = o.firstError;
      }
      for (String p : o.keptPaths) {
        if (keptPaths.size() < KEPT_NAMED) {
          keptPaths.add(p);
        }
      }
      return this;
    }
  }

  private final Map<String, ArchivedPartition> partitions;
  private final Settings settings;

  public RestoreArchivedFiles(Map<String, ArchivedPartition> partitions, Settings settings) {
    this.partitions = Map.copyOf(partitions);
    this.settings = settings;
  }

  @Override
  public PCollection<PartitionRestore> expand(PCollection<ArchivedPartition> in) {
    PCollectionTuple listed =
        in.apply("VerifyFileList", ParDo.of(new ListFilesFn(settings)).withOutputTags(FILES, TupleTagList.of(UNVERIFIED)));
    PCollection<Outcome> restored =
        listed
            .get(FILES)
            .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(FileToRestore.class)))
            .apply("SpreadFiles", Reshuffle.viaRandomKey())
            .apply("RestoreFile", ParDo.of(new RestoreFileFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Tally.class)))
            .apply("TallyPartition", Combine.perKey(RestoreArchivedFiles::merge))
            .apply("DescribePartition", ParDo.of(new DescribeFn(partitions)))
            .setCoder(SerializableCoder.of(Outcome.class));
    return PCollectionList.of(restored)
        .and(listed.get(UNVERIFIED).setCoder(SerializableCoder.of(Outcome.class)))
        .apply("AllPartitions", Flatten.pCollections())
        .apply("RecordRestore", ParDo.of(new RecordRestoreFn(settings)))
        .setCoder(SerializableCoder.of(PartitionRestore.class));
  }

  private static Tally merge(Iterable<Tally> tallies) {
    Tally t = new Tally();
    for (Tally x : tallies) {
      t.merge(x);
    }
    return t;
  }

  static final class ListFilesFn extends DoFn<ArchivedPartition, KV<String, FileToRestore>> {
    private final Settings settings;

    ListFilesFn(Settings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(@Element ArchivedPartition p, MultiOutputReceiver out) {
      String folder = ArchivePaths.companionFolder(p.blobUrl());
      FileLists.Checked list = FileLists.readChecked(p.blobUrl(), p.byteSize(), p.sha256());
      if (list.problem() != null) {
        String problem = "archive failed verification: " + list.problem();
        out.get(UNVERIFIED).output(new Outcome(new PartitionRestore(p, 0, 0, 0, 0, problem), problem));
        return;
      }
      String bin = settings.recycleFolders().get(p.blobUrl());
      for (FileLists.Line l : list.lines()) {
        out.get(FILES).output(
            KV.of(p.uuid(),
                new FileToRestore(l, folder + "/" + l.path(), bin == null ? null : bin + "/" + l.path(),
                    settings.target() + "/" + l.path())));
      }
    }
  }

  static final class RestoreFileFn extends DoFn<KV<String, FileToRestore>, KV<String, Tally>> {
    private final Counter written = Metrics.counter("restore", "filesRestored");
    private final Counter fromBin = Metrics.counter("restore", "filesFromRecycleBin");
    private final Counter present = Metrics.counter("restore", "filesPresent");
    private final Counter kept = Metrics.counter("restore", "filesKeptOther");
    private final Counter failed = Metrics.counter("restore", "filesFailed");

    @ProcessElement
    public void process(@Element KV<String, FileToRestore> e, OutputReceiver<KV<String, Tally>> out) {
      FileToRestore f = e.getValue();
      Tally t = new Tally();
      try {
        restore(f, t);
      } catch (Exception ex) {
        t.failed++;
        t.firstError = f.line().path() + ": " + ex.getMessage();
      }
      written.inc(t.written);
      fromBin.inc(t.fromBin);
      present.inc(t.present);
      kept.inc(t.kept);
      failed.inc(t.failed);
      out.output(KV.of(e.getKey(), t));
    }

    private static void restore(FileToRestore f, Tally t) throws Exception {
      FileLists.Line l = f.line();
      FileCopies.Copied expected = l.copied();
      if (Stores.stat(f.target()) != null) {
        if (FileCopies.read(f.target()).equals(expected)) {
          t.present++;
        } else {
          t.kept++;
          t.keptPaths.add(l.path());
        }
        return;
      }
      // from the bin when it holds the file as archived (it is usually nearer the source), else from the archive
      if (f.recycled() != null && Stores.stat(f.recycled()) != null && FileCopies.copyIfMatches(f.recycled(), f.target(), expected)) {
        t.fromBin++;
      } else if (!FileCopies.copyIfMatches(f.copy(), f.target(), expected)) {
        t.failed++;
        t.firstError = "the archived copy of " + l.path() + " no longer matches its file list";
        return;
      }
      t.written++;
      Crash.point("restored");
      if (Stores.isLocal(f.target())) {
        String path = f.target().startsWith("file://") ? f.target().substring("file://".length()) : f.target();
        Files.setLastModifiedTime(Paths.get(path), FileTime.fromMillis(l.modifiedMillis()));
      }
    }
  }

  static final class DescribeFn extends DoFn<KV<String, Tally>, Outcome> {
    private final Map<String, ArchivedPartition> partitions;

    DescribeFn(Map<String, ArchivedPartition> partitions) {
      this.partitions = partitions;
    }

    @ProcessElement
    public void process(@Element KV<String, Tally> e, OutputReceiver<Outcome> out) {
      Tally t = e.getValue();
      List<String> notes = new ArrayList<>();
      String error = null;
      if (t.failed > 0) {
        error = t.failed + " file(s) not restored; first: " + t.firstError;
        notes.add(error);
      }
      if (t.fromBin > 0) {
        notes.add(t.fromBin + " from the recycle bin");
      }
      if (t.present > 0) {
        notes.add(t.present + " already present");
      }
      if (t.kept > 0) {
        notes.add(
            t.kept + " kept at the target with other bytes: " + String.join(", ", t.keptPaths)
                + (t.kept > t.keptPaths.size() ? " and " + (t.kept - t.keptPaths.size()) + " more" : ""));
      }
      PartitionRestore r = new PartitionRestore(partitions.get(e.getKey()), t.written, t.present, t.kept, t.failed, error);
      out.output(new Outcome(r, notes.isEmpty() ? null : String.join("; ", notes)));
    }
  }

  static final class RecordRestoreFn extends DoFn<Outcome, PartitionRestore> {
    private final Settings settings;
    private final Counter partitionsRestored = Metrics.counter("restore", "partitionsRestored");
    private final Counter partitionsFailed = Metrics.counter("restore", "partitionsFailed");

    RecordRestoreFn(Settings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(@Element Outcome o, OutputReceiver<PartitionRestore> out) throws Exception {
      PartitionRestore r = o.result();
      ArchivedPartition p = r.partition();
      (r.succeeded() ? partitionsRestored : partitionsFailed).inc();
      Restore record =
          new Restore(
              settings.runId(), p.uuid(), p.partition().batchId(), p.partition().period(), p.blobUrl(), settings.target(),
              Instant.now(), r.rowsWritten(), r.succeeded() ? RestoreStatus.SUCCESS : RestoreStatus.FAILED, o.note());
      new Restores(settings.ledger()).record("record the restore of " + p.partition(), settings.archiveType(), record);
      out.output(r);
    }
  }
}
