package org.beamarchiver.transforms;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
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
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.DeleteOutcome;
import org.beamarchiver.model.DeleteTally;
import org.beamarchiver.model.PartitionDeletion;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.retry.Crash;
import org.beamarchiver.ledger.DeletionStatus;

/**
 * The verified delete of a files table's archived partitions. Each partition's file list is read
 * and held to the size and SHA-256 the ledger records (a list that fails: nothing of the partition
 * is touched); the partition's deletion is recorded as started (write-ahead); then each file,
 * spread over the workers: its copy is read and held to its list line, and the source file is
 * removed only if its size, modification time and SHA-256 still equal the line's, checked again
 * (size and time) just before the removal. A file rewritten since is kept (SKIPPED_CHANGED), one
 * gone already is ABSENT; a dry run removes nothing (WOULD_DELETE).
 *
 * <p>With a recycle root, the partition's recycle folder is recorded before its first file goes in
 * (write-ahead), and each file is copied there and the copy read back and held to the file's list
 * line before the source is removed: a file is removed only once it is both in its archive and in
 * the recycle bin. A file whose bytes differ as they are copied (it changed) is kept and nothing of
 * it lands in the bin.
 */
public final class DeleteArchivedFiles extends PTransform<PCollection<ArchivedPartition>, PCollection<PartitionDeletion>> {
  private static final TupleTag<KV<String, FileToDelete>> FILES = new TupleTag<>() {};
  private static final TupleTag<PartitionDeletion> UNVERIFIED = new TupleTag<>() {};

  private final Map<String, ArchivedPartition> partitions;
  private final String location;
  private final String recycleRoot;
  private final String type;
  private final boolean dryRun;
  private final JdbcEndpoint ledger;
  private final String runId;

  /**
   * One file of an archived partition: its line in the list, where it is, where its copy is, where
   * it is recycled to (null: not recycled).
   */
  record FileToDelete(FileLists.Line line, String source, String copy, String recycle) implements Serializable {}

  /**
   * @param recycleRoot the recycle bin (normalized), or null to remove source files without one
   */
  public DeleteArchivedFiles(
      Map<String, ArchivedPartition> partitions, String type, String location, String recycleRoot, boolean dryRun,
      JdbcEndpoint ledger, String runId) {
    this.partitions = Map.copyOf(partitions);
    this.type = type;
    this.location = location;
    this.recycleRoot = recycleRoot;
    this.dryRun = dryRun;
    this.ledger = ledger;
    this.runId = runId;
  }

  @Override
  public PCollection<PartitionDeletion> expand(PCollection<ArchivedPartition> in) {
    PCollectionTuple listed =
        in.apply(
            "VerifyFileList",
            ParDo.of(new VerifyFileListFn(type, location, recycleRoot, dryRun, ledger, runId)).withOutputTags(FILES, TupleTagList.of(UNVERIFIED)));
    PCollection<PartitionDeletion> deleted =
        listed
            .get(FILES)
            .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(FileToDelete.class)))
            .apply("SpreadFiles", Reshuffle.viaRandomKey())
            .apply("DeleteFile", ParDo.of(new DeleteFileFn(dryRun)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(DeleteTally.class)))
            .apply("TallyPartition", Combine.perKey(DeleteArchivedFiles::merge))
            .apply("DescribePartition", ParDo.of(new DescribeFn(partitions)))
            .setCoder(SerializableCoder.of(PartitionDeletion.class));
    return PCollectionList.of(deleted)
        .and(listed.get(UNVERIFIED).setCoder(SerializableCoder.of(PartitionDeletion.class)))
        .apply("AllPartitions", Flatten.pCollections());
  }

  private static DeleteTally merge(Iterable<DeleteTally> tallies) {
    DeleteTally t = new DeleteTally();
    for (DeleteTally x : tallies) {
      t.merge(x);
    }
    return t;
  }

  static final class VerifyFileListFn extends DoFn<ArchivedPartition, KV<String, FileToDelete>> {
    private final String type;
    private final String location;
    private final String recycleRoot;
    private final boolean dryRun;
    private final JdbcEndpoint ledger;
    private final String runId;
    private final Counter verified = Metrics.counter("delete", "partitionsVerified");
    private final Counter failedVerification = Metrics.counter("delete", "partitionsFailedVerification");

    VerifyFileListFn(String type, String location, String recycleRoot, boolean dryRun, JdbcEndpoint ledger, String runId) {
      this.type = type;
      this.location = location;
      this.recycleRoot = recycleRoot;
      this.dryRun = dryRun;
      this.ledger = ledger;
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element ArchivedPartition p, MultiOutputReceiver out) throws Exception {
      String folder = ArchivePaths.companionFolder(p.blobUrl());
      FileLists.Checked list = FileLists.readChecked(p.blobUrl(), p.byteSize(), p.sha256());
      List<FileLists.Line> lines = list.lines();
      String problem = list.problem();
      if (problem != null) {
        failedVerification.inc();
        out.get(UNVERIFIED).output(new PartitionDeletion(p, DeleteTally.unverified(problem)));
        return;
      }
      verified.inc();
      String bin = recycleRoot == null ? null : ArchivePaths.recycleFolder(recycleRoot, type, p.blobUrl());
      if (!dryRun) {
        Ledger l = new Ledger(ledger);
        if (bin != null) {
          l.recycles().recycling(type, p, bin, runId);
        }
        DeletionStatus before = l.deletions().markPending(p, runId);
        if (bin != null && before == DeletionStatus.PENDING) {
          // an earlier delete of the partition was killed: a copy it was making into the bin stays
          // half made under its sibling name; the files it recycled in full are copied again
          FileCopies.removePartialCopies(bin);
        }
        Crash.point("pending");
      }
      for (FileLists.Line l : lines) {
        out.get(FILES).output(
            KV.of(p.uuid(),
                new FileToDelete(l, location + "/" + l.path(), folder + "/" + l.path(), bin == null ? null : bin + "/" + l.path())));
      }
    }
  }

  static final class DeleteFileFn extends DoFn<KV<String, FileToDelete>, KV<String, DeleteTally>> {
    private final boolean dryRun;
    private final Counter deleted = Metrics.counter("delete", "filesDeleted");
    private final Counter would = Metrics.counter("delete", "filesWouldDelete");
    private final Counter changed = Metrics.counter("delete", "filesSkippedChanged");
    private final Counter absent = Metrics.counter("delete", "filesAbsent");
    private final Counter failed = Metrics.counter("delete", "filesFailed");
    private final Counter recycled = Metrics.counter("delete", "filesRecycled");

    DeleteFileFn(boolean dryRun) {
      this.dryRun = dryRun;
    }

    @ProcessElement
    public void process(@Element KV<String, FileToDelete> e, OutputReceiver<KV<String, DeleteTally>> out) {
      FileToDelete f = e.getValue();
      DeleteOutcome outcome;
      String error = null;
      try {
        outcome = decide(f);
      } catch (Exception ex) {
        outcome = DeleteOutcome.FAILED;
        error = f.source() + ": " + ex.getMessage();
      }
      if (outcome == DeleteOutcome.FAILED && error == null) {
        error = "the copy of " + f.line().path() + " no longer matches its file list";
      }
      switch (outcome) {
        case DELETED -> deleted.inc();
        case WOULD_DELETE -> would.inc();
        case SKIPPED_CHANGED -> changed.inc();
        case ABSENT -> absent.inc();
        default -> failed.inc();
      }
      out.output(KV.of(e.getKey(), new DeleteTally().add(outcome, error)));
    }

    private DeleteOutcome decide(FileToDelete f) throws Exception {
      FileLists.Line l = f.line();
      if (!FileCopies.read(f.copy()).equals(l.copied())) {
        return DeleteOutcome.FAILED;
      }
      MatchResult.Metadata now = Stores.stat(f.source());
      if (now == null) {
        return DeleteOutcome.ABSENT;
      }
      if (!sameAsListed(now, l)) {
        return DeleteOutcome.SKIPPED_CHANGED;
      }
      if (f.recycle() == null || dryRun) {
        if (!FileCopies.read(f.source()).equals(l.copied())) {
          return DeleteOutcome.SKIPPED_CHANGED;
        }
      } else {
        // recycled: copied into the bin only if the bytes read are the listed ones (else the file
        // changed: nothing lands in the bin), then the copy in the bin read back
        if (!FileCopies.copyIfMatches(f.source(), f.recycle(), l.copied())) {
          return DeleteOutcome.SKIPPED_CHANGED;
        }
        if (!FileCopies.read(f.recycle()).equals(l.copied())) {
          throw new IOException("its copy in the recycle bin " + f.recycle() + " does not match what was copied");
        }
        recycled.inc();
        Crash.point("recycled");
      }
      if (dryRun) {
        return DeleteOutcome.WOULD_DELETE;
      }
      // checked again just before the removal: a file rewritten while it was read stays
      MatchResult.Metadata before = Stores.stat(f.source());
      if (before == null) {
        return DeleteOutcome.ABSENT;
      }
      if (!sameAsListed(before, l)) {
        return DeleteOutcome.SKIPPED_CHANGED;
      }
      Stores.delete(List.of(FileSystems.matchNewResource(f.source(), false)));
      Crash.point("removed");
      return DeleteOutcome.DELETED;
    }

    private static boolean sameAsListed(MatchResult.Metadata m, FileLists.Line l) {
      return m.sizeBytes() == l.bytes() && m.lastModifiedMillis() == l.modifiedMillis();
    }
  }

  static final class DescribeFn extends DoFn<KV<String, DeleteTally>, PartitionDeletion> {
    private final Map<String, ArchivedPartition> partitions;

    DescribeFn(Map<String, ArchivedPartition> partitions) {
      this.partitions = partitions;
    }

    @ProcessElement
    public void process(@Element KV<String, DeleteTally> t, OutputReceiver<PartitionDeletion> out) {
      out.output(new PartitionDeletion(partitions.get(t.getKey()), t.getValue()));
    }
  }

  /** The partitions by ledger uuid. */
  public static Map<String, ArchivedPartition> byUuid(List<ArchivedPartition> ps) {
    return ps.stream().collect(java.util.stream.Collectors.toMap(ArchivedPartition::uuid, p -> p));
  }
}
