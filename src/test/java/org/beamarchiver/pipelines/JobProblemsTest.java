package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.beamarchiver.ledger.ArchiveStatus;
import org.beamarchiver.ledger.Recycles;
import org.beamarchiver.notify.Notice;
import org.beamarchiver.support.LedgerRows;
import org.junit.jupiter.api.Test;

/** What a run's notification lists as its problems, for archives of rows or files and purges. */
class JobProblemsTest {
  @Test
  void anArchiveListsThePartitionsThatDidNotSucceed() {
    assertEquals(
        List.of(new Notice.Problem("b2", "2026-W02", "store down"), new Notice.Problem("b3", "2026-W03", null)),
        ArchiveJob.problemsOf(List.of(
            LedgerRows.row("b1", "2026-W01", ArchiveStatus.SUCCESS, null, null, 1L, null),
            LedgerRows.row("b2", "2026-W02", ArchiveStatus.FAILED, null, null, null, "store down"),
            LedgerRows.row("b3", "2026-W03", ArchiveStatus.PENDING, null, null, null, null))));
  }

  @Test
  void aPurgeListsTheFoldersItCouldNotRemove() {
    Recycles.Recycled a = new Recycles.Recycled("file:/bin/a", "u1", "b1", "2026-W01", "file:/a", Instant.EPOCH, "r", null, null);
    Recycles.Recycled b = new Recycles.Recycled("file:/bin/b", "u2", "b2", "2026-W02", "file:/b", Instant.EPOCH, "r", null, null);
    PurgeJob.Summary s = new PurgeJob.Summary("purge-1", "t", 30, false,
        List.of(new PurgeJob.Outcome(a, 3, null), new PurgeJob.Outcome(b, 0, "permission denied")));
    assertEquals(List.of(new Notice.Problem("b2", "2026-W02", "permission denied")), PurgeJob.problemsOf(s));
  }
}
