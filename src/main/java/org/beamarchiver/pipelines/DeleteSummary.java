package org.beamarchiver.pipelines;

import java.util.List;
import java.util.Map;
import org.beamarchiver.model.DeletionReport;

/** What a delete run did, per partition. */
public record DeleteSummary(DeleteRun run, List<DeletionReport> partitions, Map<String, Long> counters) {
  public long failedPartitions() {
    return partitions.stream().filter(p -> !"SUCCESS".equals(p.status())).count();
  }

  public long total(java.util.function.ToLongFunction<DeletionReport> f) {
    return partitions.stream().mapToLong(f).sum();
  }
}
