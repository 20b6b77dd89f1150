package org.beamarchiver.pipelines;

import java.util.List;
import java.util.Map;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.ArchiveRequest;

/**
 * What an archive run of a files table did.
 *
 * @param runId the run
 * @param location the table's location, as its files were listed
 * @param request what was asked
 * @param exhausted partitions left alone after failing --maxIterations times
 * @param partitions ledger rows written by this run
 * @param counters Beam counters by name (filesListed, filesCopied, bytesCopied, deadLetters, ...)
 * @param deadLetterFile where the run's dead letters (files not archived, with why) went, or null
 */
public record FileArchiveSummary(
    String runId, String location, ArchiveRequest request, int exhausted, List<LedgerRow> partitions, Map<String, Long> counters, String deadLetterFile) {

  public long failedPartitions() {
    long rows = partitions.stream().filter(r -> !r.archived()).count();
    return Math.max(rows, counter("partitionsFailed"));
  }

  public long counter(String name) {
    return counters.getOrDefault(name, 0L);
  }
}
