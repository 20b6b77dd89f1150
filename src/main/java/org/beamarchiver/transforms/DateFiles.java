package org.beamarchiver.transforms;

import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.beamarchiver.io.files.FileCopies;
import org.beamarchiver.io.files.FileDates;
import org.beamarchiver.io.files.RelativePaths;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.DeadLetter;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.PartitionKeyCoder;
import org.beamarchiver.model.SourceFile;
import org.beamarchiver.spec.FileSourceSpec;

/**
 * The listed files of a files table keyed by partition (storage, ISO week of the file's date), for
 * the weeks of the request; a file without a usable date or with an unsafe name is a dead letter
 * with the reason, and is never touched.
 */
public final class DateFiles extends PTransform<PCollection<MatchResult.Metadata>, PCollectionTuple> {
  public static final TupleTag<KV<PartitionKey, SourceFile>> DATED = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTER = new TupleTag<>() {};

  /** Files keyed by partition: a deterministic key coder, as grouping needs. */
  public static final KvCoder<PartitionKey, SourceFile> CODER =
      KvCoder.of(PartitionKeyCoder.of(), SerializableCoder.of(SourceFile.class));

  private final FileSourceSpec spec;
  private final String storage;
  private final ArchiveRequest request;
  private final Set<PartitionKey> exhausted;

  /**
   * @param storage the partitions' storage name (their ledger batch id)
   * @param exhausted partitions left alone (FAILED --maxIterations times)
   */
  public DateFiles(FileSourceSpec spec, String storage, ArchiveRequest request, Set<PartitionKey> exhausted) {
    this.spec = spec;
    this.storage = storage;
    this.request = request;
    this.exhausted = exhausted;
  }

  @Override
  public PCollectionTuple expand(PCollection<MatchResult.Metadata> files) {
    PCollectionTuple out =
        files.apply(
            "DateFile",
            ParDo.of(new DateFileFn(spec, storage, request, exhausted)).withOutputTags(DATED, TupleTagList.of(DEAD_LETTER)));
    out.get(DATED).setCoder(CODER);
    out.get(DEAD_LETTER).setCoder(SerializableCoder.of(DeadLetter.class));
    return out;
  }

  static final class DateFileFn extends DoFn<MatchResult.Metadata, KV<PartitionKey, SourceFile>> {
    private final FileSourceSpec spec;
    private final String storage;
    private final ArchiveRequest request;
    private final Set<PartitionKey> exhausted;
    private final Counter listed = Metrics.counter("archive", "filesListed");
    private final Counter outside = Metrics.counter("archive", "filesOutsideRequest");
    private final Counter dead = Metrics.counter("archive", "deadLetters");
    private transient FileDates dates;

    DateFileFn(FileSourceSpec spec, String storage, ArchiveRequest request, Set<PartitionKey> exhausted) {
      this.spec = spec;
      this.storage = storage;
      this.request = request;
      this.exhausted = exhausted;
    }

    @Setup
    public void setup() {
      dates = new FileDates(spec);
    }

    @ProcessElement
    public void process(@Element MatchResult.Metadata m, MultiOutputReceiver out) {
      listed.inc();
      String uri = m.resourceId().toString();
      String path;
      try {
        path = RelativePaths.of(spec.location(), uri);
      } catch (IllegalArgumentException e) {
        deadLetter(out, e.getMessage(), uri);
        return;
      }
      if (FileCopies.isPartialCopy(path)) {
        deadLetter(out, "a partial copy left by a beam-archiver run killed while it copied (not a file of the table; remove it)", uri);
        return;
      }
      FileDates.Dated d = dates.date(path, m.lastModifiedMillis());
      if (d.problem() != null) {
        deadLetter(out, d.problem(), uri);
        return;
      }
      PartitionKey key = PartitionKey.of(storage, d.week());
      if (!request.coversWeek(d.week()) || exhausted.contains(key)) {
        outside.inc();
        return;
      }
      out.get(DATED).output(KV.of(key, SourceFile.listed(path, uri, m.sizeBytes(), m.lastModifiedMillis())));
    }

    private void deadLetter(MultiOutputReceiver out, String reason, String uri) {
      dead.inc();
      out.get(DEAD_LETTER).output(new DeadLetter(reason, CsvLines.line(uri)));
    }
  }
}
