package org.beamarchiver.pipelines;

import java.util.Locale;
import org.beamarchiver.io.source.LiveSource;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.transforms.WritePartitionFiles;

/**
 * How the archive (and the plan) read and shuffle the table, decided once per run from --shuffle,
 * the runner and the source. The DirectRunner keeps every output of a bundle in memory and has no
 * shuffle of its own that spills, so on it rows are sorted in bounded buffers spilled to disk
 * (SPILL); other runners (Flink, Dataflow) shuffle themselves (RUNNER).
 */
enum GraphShape {
  /**
   * One DoFn reads each slice, keys its rows and spills them into sorted runs; only run paths leave
   * it; a merge writes the files. For sources that read a slice by themselves (Cassandra).
   */
  FUSED_SPILL,
  /** The source's IO → KeyByPartition → WritePartitionFiles sorting in spilled runs (JDBC). */
  SPILL,
  /** The source's IO → KeyByPartition → the runner's GroupByKey → files. */
  RUNNER;

  /** The runner whose AUTO shuffle is SPILL; named, not linked: a build may leave it out. */
  static final String DIRECT_RUNNER = "org.apache.beam.runners.direct.DirectRunner";

  static GraphShape of(ArchiveOptions options, LiveSource source) {
    return of(options.getShuffle(), options.getRunner(), source.scansSlices());
  }

  static GraphShape of(String shuffleOption, Class<?> runner, boolean sourceScansSlices) {
    WritePartitionFiles.Shuffle shuffle = shuffle(shuffleOption, runner);
    if (shuffle == WritePartitionFiles.Shuffle.RUNNER) {
      return RUNNER;
    }
    return sourceScansSlices ? FUSED_SPILL : SPILL;
  }

  /** --shuffle (AUTO, RUNNER, SPILL), AUTO resolved by runner. */
  static WritePartitionFiles.Shuffle shuffle(String option, Class<?> runner) {
    String s = option == null ? "AUTO" : option.trim().toUpperCase(Locale.ROOT);
    switch (s) {
      case "RUNNER":
        return WritePartitionFiles.Shuffle.RUNNER;
      case "SPILL":
        return WritePartitionFiles.Shuffle.SPILL;
      case "AUTO":
        return runner != null && runner.getName().equals(DIRECT_RUNNER)
            ? WritePartitionFiles.Shuffle.SPILL
            : WritePartitionFiles.Shuffle.RUNNER;
      default:
        throw new IllegalArgumentException("--shuffle=" + option + " is not valid; allowed: AUTO, RUNNER, SPILL");
    }
  }

  /** How WritePartitionFiles sorts: in spilled runs, or after the runner's GroupByKey. */
  WritePartitionFiles.Shuffle shuffle() {
    return this == RUNNER ? WritePartitionFiles.Shuffle.RUNNER : WritePartitionFiles.Shuffle.SPILL;
  }
}
