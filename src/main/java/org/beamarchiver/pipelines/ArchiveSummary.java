package org.beamarchiver.pipelines;

import java.util.List;
import java.util.Map;
import org.beamarchiver.ledger.LedgerRow;

/**
 * What an archive run did: its ledger rows, counters and notes.
 *
 * @param run the launch
 * @param partitions ledger rows written by this run
 * @param counters Beam counters by name (rowsRead, rowsKept, deadLetters, ...)
 * @param deadLetterFile where the run's dead letters went, or null when the run read nothing
 */
public record ArchiveSummary(
    ArchiveRun run, List<LedgerRow> partitions, Map<String, Long> counters, String deadLetterFile) {

  /**
   * Partitions that failed: FAILED rows of this run, or, when more, the writes the run counted as
   * failed (a failed forced re-archive leaves the older archive's row, of another run, in place).
   */
  public long failedPartitions() {
    long rows = partitions.stream().filter(r -> !r.archived()).count();
    return Math.max(rows, counter("partitionsFailed"));
  }

  public long counter(String name) {
    return counters.getOrDefault(name, 0L);
  }
}
