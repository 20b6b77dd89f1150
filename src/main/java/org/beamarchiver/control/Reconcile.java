package org.beamarchiver.control;

import org.beamarchiver.ledger.Archives;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;

/**
 * Keeps storage and ledger in step, so that no object under the archive root lacks its ledger row
 * and no SUCCESS row lacks its object. Run under the table's lease:
 *
 * <ul>
 *   <li>before a run: {@link #afterDeadRuns} removes what runs that died left behind;
 *   <li>after a run: {@link #afterRun} checks each object the run recorded and finishes what the
 *       run could not (a write-ahead without outcome, a superseded object not yet removed).
 * </ul>
 */
public final class Reconcile {
  /** What a reconciliation did. */
  public record Outcome(int orphansRemoved, int pendingClosed, int supersededRemoved, int objectsBad) {
    public boolean any() {
      return orphansRemoved + pendingClosed + supersededRemoved + objectsBad > 0;
    }
  }

  private final Ledger ledger;
  private final String type;
  private final String archiveRoot;
  private final Consumer<String> note;

  public Reconcile(Ledger ledger, String type, String archiveRoot, Consumer<String> note) {
    this.ledger = ledger;
    this.type = type;
    this.archiveRoot = archiveRoot;
    this.note = note;
  }

  /**
   * Cleans up after runs of this table that ended without finishing (killed, crashed): each
   * partition object they had announced but not recorded is removed and its row closed (FAILED
   * if it had no archive yet), superseded objects not yet removed are removed, and their
   * temporary folders are deleted.
   */
  public Outcome afterDeadRuns(String currentRun, List<String> deadJobs) throws SQLException, IOException {
    int pending = 0;
    int orphans = 0;
    for (LedgerRow r : ledger.archives().pendingRows(type, currentRun)) {
      Boolean removed = removeUnrecorded(r);
      if (removed == null) {
        continue; // could not remove it: the write-ahead stays open for the next run
      }
      if (removed) {
        orphans++;
      }
      ledger.archives().closePending(
          r.uuid(), r.pendingRunId(), "interrupted: run " + r.pendingRunId() + " ended before recording this partition");
      pending++;
    }
    int superseded = removeSuperseded();
    for (String job : deadJobs) {
      Stores.deleteFolder(ArchivePaths.tempDir(archiveRoot, job));
    }
    Outcome o = new Outcome(orphans, pending, superseded, 0);
    if (o.any()) {
      note.accept(
          "cleaned up after runs that did not finish: " + orphans + " unrecorded object(s) removed, "
              + pending + " write-ahead(s) closed, " + superseded + " superseded object(s) removed");
    }
    return o;
  }

  /**
   * After this run: every SUCCESS row it recorded must have its object with the recorded size
   * (else the row becomes FAILED and the object goes, so the next run redoes it); its own
   * write-aheads still open are closed; superseded objects left behind are removed.
   */
  public Outcome afterRun(String runId) throws SQLException, IOException {
    int bad = 0;
    List<LedgerRow> archived = ledger.archives().rowsOfRun(runId).stream().filter(LedgerRow::archived).toList();
    // The objects are looked up CHECKERS at a time (an object store answers each lookup in tens of
    // milliseconds; a run records thousands), then judged in order.
    List<String> problems = checkObjects(archived);
    for (int i = 0; i < archived.size(); i++) {
      LedgerRow r = archived.get(i);
      String problem = problems.get(i);
      if (problem != null) {
        bad++;
        note.accept("partition " + r.batchId() + " " + r.period() + ": " + problem + "; marked FAILED");
        try {
          delete(r.blobUrl());
        } catch (IOException | RuntimeException e) {
          note.accept("could not remove " + r.blobUrl() + " (" + e + ")");
        }
        ledger.archives().markObjectBad(r.uuid(), runId, "post-run check: " + problem);
      }
    }
    int pending = 0;
    int orphans = 0;
    for (LedgerRow r : ledger.archives().pendingRows(type, null)) {
      if (!runId.equals(r.pendingRunId())) {
        continue;
      }
      Boolean removed = removeUnrecorded(r);
      if (removed == null) {
        continue;
      }
      if (removed) {
        orphans++;
      }
      ledger.archives().closePending(r.uuid(), runId, "the run ended without recording this partition");
      pending++;
    }
    return new Outcome(orphans, pending, removeSuperseded(), bad);
  }

  /** Lookups of objects at once in {@link #afterRun}. */
  static final int CHECKERS = 16;

  /** {@link #checkObject} of each row, in order, {@link #CHECKERS} at a time. */
  private static List<String> checkObjects(List<LedgerRow> rows) throws IOException {
    if (rows.isEmpty()) {
      return List.of();
    }
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(Math.min(CHECKERS, rows.size()), r -> {
          Thread t = new Thread(r, "post-run-check");
          t.setDaemon(true);
          return t;
        });
    try {
      List<java.util.concurrent.Future<String>> checks = new java.util.ArrayList<>();
      for (LedgerRow r : rows) {
        checks.add(pool.submit(() -> checkObject(r)));
      }
      List<String> out = new java.util.ArrayList<>();
      for (java.util.concurrent.Future<String> f : checks) {
        try {
          out.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof IOException io) {
            throw io;
          }
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw new IOException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted checking the run's objects");
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static String checkObject(LedgerRow r) throws IOException {
    MatchResult m = Stores.matchExact(r.blobUrl());
    if (m.status() == MatchResult.Status.NOT_FOUND) {
      return "object missing: " + r.blobUrl();
    }
    if (m.status() != MatchResult.Status.OK) {
      return "object unreadable (" + m.status() + "): " + r.blobUrl();
    }
    long size = m.metadata().get(0).sizeBytes();
    if (r.byteSize() != null && size != r.byteSize()) {
      return "object has " + size + " bytes, the ledger says " + r.byteSize();
    }
    return null;
  }

  /**
   * Removes a write-ahead's object unless the ledger records that very object: true when removed,
   * false when there was nothing to remove, null when it could not be removed (said in a note).
   */
  private Boolean removeUnrecorded(LedgerRow r) {
    String pending = r.pendingBlobUrl();
    if (pending == null || pending.equals(r.blobUrl()) && r.archived()) {
      return false;
    }
    try {
      return delete(pending);
    } catch (IOException | RuntimeException e) {
      note.accept("could not remove the unrecorded object " + pending + " (" + e + "); the next run tries again");
      return null;
    }
  }

  private int removeSuperseded() throws SQLException, IOException {
    int n = 0;
    for (Archives.Superseded s : ledger.archives().supersededNotRemoved(type)) {
      try {
        delete(s.blobUrl());
      } catch (IOException | RuntimeException e) {
        note.accept("could not remove the superseded object " + s.blobUrl() + " (" + e + "); the next run tries again");
        continue;
      }
      ledger.archives().markSupersededRemoved(s.uuid(), s.runId());
      n++;
    }
    return n;
  }

  /** Deletes an object if it exists; true when it existed. */
  private static boolean delete(String url) throws IOException {
    if (url == null) {
      return false;
    }
    boolean existed = Stores.matchExact(url).status() == MatchResult.Status.OK;
    if (existed || ArchivePaths.companionFolder(url) != null) {
      // a files partition's copies may be there without its list (the run died while copying)
      Stores.deleteArchived(url);
    }
    return existed;
  }
}
