package org.beamarchiver.pipelines;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.transforms.KeyByPartition;
import org.beamarchiver.transforms.ReadKeyAndSpill;
import org.beamarchiver.transforms.RecordInLedger;
import org.beamarchiver.transforms.WriteDeadLetters;
import org.beamarchiver.transforms.WritePartitionFiles;

/**
 * The archive pipeline: ReadSourceRows → KeyByPartition → WritePartitionFiles → RecordInLedger,
 * with rows that cannot be keyed going to WriteDeadLetters. What happens around it (the lease, the
 * run file, retries, the post-run checks and the manifest) is {@link ArchiveJob}.
 */
public final class ArchivePipeline {
  /** Counters shown while the pipeline runs and in the summary. */
  public static final List<String> PROGRESS_COUNTERS =
      List.of("rowsRead", "rowsKept", "deadLetters", "partitionsWritten", "partitionsFailed");

  private ArchivePipeline() {}

  /** Runs an archive job ({@link ArchiveJob}). */
  public static ArchiveSummary run(ArchiveOptions options, Clock clock, Progress progress) throws Exception {
    return ArchiveJob.run(options, clock, progress);
  }

  /** --maxReadsPerSecond divided among the run's workers; 0 when there is no limit. */
  static double readsPerWorker(ArchiveOptions options) {
    int limit = options.getMaxReadsPerSecond() == null ? 0 : options.getMaxReadsPerSecond();
    return limit == 0 ? 0 : (double) limit / Parallelism.of(options, "--maxReadsPerSecond");
  }


  /**
   * Builds the pipeline over the live table, in the run's {@link GraphShape}: with FUSED_SPILL (the
   * DirectRunner's, for sources that read a slice by themselves) ReadKeyAndSpill → merge of sorted
   * runs → files, so that memory stays bounded on one machine; otherwise the source's IO →
   * KeyByPartition → WritePartitionFiles (sorting after the runner's GroupByKey, or in spilled runs).
   */
  public static Pipeline create(ArchiveOptions options, ArchiveRun run) {
    if (GraphShape.of(options, run.source()) == GraphShape.FUSED_SPILL) {
      Pipeline p = Pipeline.create(options);
      RecordInLedger record = recordInLedger(run);
      WritePartitionFiles.FileSettings settings = fileSettings(options, run, record);

      // Read, key and spill each slice in one step; merge each partition's runs into its file;
      // record it in the ledger.
      PCollectionTuple read =
          p.apply(
              "ReadKeyAndSpill",
              new ReadKeyAndSpill(
                  run.source(), run.read(),
                  new KeyByPartition.Keyer(run.table().layout(), run.request(), run.skipped(), run.only())
                      .throttled(readsPerWorker(options)),
                  settings,
                  Parallelism.orOne(options)));
      WritePartitionFiles.mergeSpills(read.get(ReadKeyAndSpill.SPILL_INDEX), settings)
          .apply("RecordInLedger", record);

      // Rows that cannot be keyed (no time, a malformed value) go to the dead letters, with why.
      read.get(ReadKeyAndSpill.DEAD_LETTER).apply("WriteDeadLetters", writeDeadLetters(run));
      return p;
    }
    return create(options, run, readSourceRows(run));
  }

  /** The live table's rows, read by the source's own IO over the plan's slices. */
  static PTransform<PBegin, PCollection<SourceRow>> readSourceRows(ArchiveRun run) {
    return run.source().readRows(run.read(), run.request().batchIds());
  }

  private static WritePartitionFiles.FileSettings fileSettings(
      ArchiveOptions options, ArchiveRun run, RecordInLedger record) {
    return new WritePartitionFiles.FileSettings(
        run.archiveRoot(),
        run.spec().archiveType(),
        run.runId(),
        run.runEpochMillis(),
        Arrays.asList(run.table().layout().fileHeader()),
        options.getGzipLevel(),
        options.getSortMemoryMb(),
        GraphShape.of(options, run.source()).shuffle(),
        record.writeAhead(),
        run.table().layout().rollup(),
        ArchiveRun.format(options, run.spec()),
        Outage.ofSeconds(options.getMaxOutageSeconds()),
        run.table().layout().valueTypes(),
        run.spec().table(),
        run.read().family());
  }

  /** Builds the pipeline over any source of rows (tests inject one; production reads the live source). */
  public static Pipeline create(
      ArchiveOptions options,
      ArchiveRun run,
      PTransform<PBegin, PCollection<SourceRow>> source) {
    Pipeline p = Pipeline.create(options);

    // The live rows, keyed by (batch, ISO week); rows that cannot be keyed are dead letters.
    PCollection<SourceRow> rows = p.apply("ReadSourceRows", source);

    PCollectionTuple keyed =
        rows.apply(
            "KeyByPartition",
            new KeyByPartition(run.table().layout(), run.request(), run.skipped(), run.only())
                .throttled(readsPerWorker(options)));

    // One sorted file per partition, each recorded in the ledger (write-ahead, then SUCCESS).
    RecordInLedger record = recordInLedger(run);
    keyed
        .get(KeyByPartition.KEYED)
        .apply("WritePartitionFiles", new WritePartitionFiles(fileSettings(options, run, record)))
        .apply("RecordInLedger", record);

    keyed.get(KeyByPartition.DEAD_LETTER).apply("WriteDeadLetters", writeDeadLetters(run));
    return p;
  }

  private static RecordInLedger recordInLedger(ArchiveRun run) {
    return new RecordInLedger(
        run.ledger(), run.spec().archiveType(), run.runId(), run.startedAt(), run.requestData(), run.force());
  }

  private static WriteDeadLetters writeDeadLetters(ArchiveRun run) {
    return new WriteDeadLetters(
        ArchivePaths.deadLetterPrefix(run.archiveRoot(), run.spec().archiveType(), run.runId()),
        run.table().layout().fileHeader());
  }
}
