package org.beamarchiver.pipelines;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.ArchiveStatus;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.options.ArchiveOptions;
import org.beamarchiver.spec.TableSpec;

/**
 * What an archive launch of a files table resolved before its pipeline starts: the launch, the
 * archived partitions of the request and their file lists (a partition is archived again only when
 * a file has appeared in it), and those left alone after failing --maxIterations times.
 *
 * @param storage the partitions' storage: their ledger batch id
 */
public record FileArchiveRun(
    Launch launch, long runEpochMillis, String storage, Map<PartitionKey, String> archivedLists, Set<PartitionKey> exhausted) {

  /** The storage name of a files table without lifecycles. */
  public static final String STORAGE = "files";

  static FileArchiveRun prepare(ArchiveOptions options, Launch launch, long runEpochMillis) throws Exception {
    Ledger ledger = new Ledger(launch.ledger());
    Map<PartitionKey, String> archived = new HashMap<>();
    Set<PartitionKey> exhausted = new HashSet<>();
    for (Map.Entry<PartitionKey, LedgerRow> e :
        ledger.archives().partitionRows(launch.spec().archiveType(), launch.request()).entrySet()) {
      LedgerRow r = e.getValue();
      if (!e.getKey().batchId().equals(STORAGE)) {
        continue;
      }
      if (r.archived()) {
        archived.put(e.getKey(), r.blobUrl());
      } else if (r.archivalStatus() == ArchiveStatus.FAILED && r.iteration() >= options.getMaxIterations()) {
        exhausted.add(e.getKey());
      }
    }
    return new FileArchiveRun(launch, runEpochMillis, STORAGE, Map.copyOf(archived), Set.copyOf(exhausted));
  }

  /**
   * Refuses, before anything is recorded, an archive root and a location inside one another (the
   * archive would list its own copies as the table's files, or copy the table into itself).
   */
  static void checkRoots(String location, String archiveRoot) {
    if (overlap(location, archiveRoot)) {
      throw new IllegalArgumentException(
          "--archiveRoot " + archiveRoot + " and the table's source.location " + location
              + " lie inside one another; an archive root must be outside the files it archives");
    }
  }

  /**
   * The recycle root of a delete, normalized, or null without one; refused when it lies inside the
   * location or the archive root or the reverse (a recycled file would be listed as the table's, or
   * as an orphan of the archive).
   */
  static String recycleRoot(String recycleRoot, String location, String archiveRoot) {
    if (recycleRoot == null) {
      return null;
    }
    if (recycleRoot.isBlank()) {
      throw new IllegalArgumentException("--recycleRoot must be a local path or a filesystem URI");
    }
    for (String[] other : new String[][] {{"the table's source.location", location}, {"--archiveRoot", archiveRoot}}) {
      if (overlap(recycleRoot, other[1])) {
        throw new IllegalArgumentException(
            "--recycleRoot " + recycleRoot + " and " + other[0] + " " + other[1]
                + " lie inside one another; the recycle bin must be a place of its own");
      }
    }
    return normalize(recycleRoot);
  }

  /** Whether two locations or roots are one, or one lies inside the other. */
  private static boolean overlap(String a, String b) {
    String x = normalize(a);
    String y = normalize(b);
    return x.equals(y) || x.startsWith(y + "/") || y.startsWith(x + "/");
  }

  /**
   * Refuses, before anything is recorded, a local location that is not a folder (a typo, a share
   * not mounted): listed, it would look like a table without files, and a delete would count every
   * archived file as gone. (An object store's prefix without objects cannot be told from an empty
   * one.)
   */
  static void checkLocation(TableSpec spec) {
    String l = location(spec);
    if (Stores.isLocal(l) && !java.nio.file.Files.isDirectory(java.nio.file.Paths.get(l))) {
      throw new IllegalArgumentException(
          "the table spec's source.location " + spec.files().location() + " is not a folder here (" + l + ")");
    }
  }

  /** A location or root as the file systems name what is under it: local paths absolute, no trailing '/'. */
  static String normalize(String p) {
    return Stores.normalizeRoot(p.startsWith("file://") ? p.substring("file://".length()) : p);
  }

  /** The location of a files table as its files are listed. */
  static String location(TableSpec spec) {
    return normalize(spec.files().location());
  }

  /** The table's location as its files are listed. */
  String location() {
    return location(launch.spec());
  }
}
