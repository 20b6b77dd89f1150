package org.beamarchiver.integrity;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.beamarchiver.io.files.FileCopies;
import org.beamarchiver.io.files.FileLists;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Checksums;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.IsoWeek;

/**
 * Checks archived files against storage and their signed manifests. A ledger row is OK when its
 * object exists with the recorded size and SHA-256, and a manifest whose signature verifies with
 * the key lists that very file with the same bytes, SHA-256, rows, batch and week. The verified
 * delete (and restore) use the manifest half before trusting a ledger row.
 */
public final class ArchiveVerifier {
  /** What a check found, worst first after OK. */
  public enum Status {
    OK,
    MISSING,
    SIZE_MISMATCH,
    CHECKSUM_MISMATCH,
    SIGNATURE_INVALID,
    MANIFEST_MISMATCH,
    ORPHAN
  }

  /** One file's verdict; {@code uuid} is null for an orphan. */
  public record Verdict(Status status, String uuid, String batchId, String period, String path, String detail) {
    public boolean ok() {
      return status == Status.OK;
    }

    /** How the ledger records it. */
    public String describe() {
      return status + (detail == null ? "" : ": " + detail);
    }
  }

  /**
   * {@code <batch escaped>-<yyyy>-<ww>-<epoch millis>.csv.gz} or {@code ....parquet}: the batch is
   * everything before the fixed tail.
   */
  private static final Pattern ARCHIVE_NAME =
      Pattern.compile("^(.+)-(\\d{4})-(\\d{2})-\\d+(\\.csv\\.gz|\\.parquet|\\.sqlite)$");

  private final SigningKey key;
  private final Map<String, Object> manifests = new HashMap<>();

  public ArchiveVerifier(SigningKey key) {
    this.key = key;
  }

  /**
   * The manifest half: empty when a manifest signed with the key lists the row's file exactly as
   * the ledger does; else why not (SIGNATURE_INVALID or MANIFEST_MISMATCH, or CHECKSUM_MISMATCH /
   * SIZE_MISMATCH when the ledger's checksum or size differs from the signed one).
   */
  public Optional<Verdict> checkManifest(LedgerRow row) {
    if (row.manifestUrl() == null) {
      return Optional.of(verdict(Status.SIGNATURE_INVALID, row, "no signed manifest lists this file yet (the next archive run of the table signs it)"));
    }
    Object m = manifest(row.manifestUrl());
    if (m instanceof IOException e) {
      return Optional.of(verdict(Status.SIGNATURE_INVALID, row, "manifest unreadable: " + e.getMessage()));
    }
    Checked checked = (Checked) m;
    Manifest manifest = checked.manifest();
    if (!checked.verifies()) {
      return Optional.of(
          verdict(
              Status.SIGNATURE_INVALID, row,
              "the signature of " + row.manifestUrl() + " does not verify with " + key
                  + (manifest.keyId().equals(key.id()) ? " (the manifest was changed)" : "; it names key " + manifest.keyId())));
    }
    Manifest.Entry e = checked.files().get(row.blobUrl());
    if (e == null) {
      return Optional.of(verdict(Status.MANIFEST_MISMATCH, row, "the signed manifest " + row.manifestUrl() + " does not list this file"));
    }
    if (!String.valueOf(row.checksumSha256()).equals(e.sha256())) {
      return Optional.of(
          verdict(Status.CHECKSUM_MISMATCH, row, "ledger SHA-256 " + row.checksumSha256() + ", signed manifest " + e.sha256()));
    }
    if (row.byteSize() == null || row.byteSize() != e.bytes()) {
      return Optional.of(verdict(Status.SIZE_MISMATCH, row, "ledger bytes " + row.byteSize() + ", signed manifest " + e.bytes()));
    }
    if (row.rowCount() == null || row.rowCount() != e.rows() || !row.batchId().equals(e.batchId())
        || !row.period().equals(e.period())) {
      return Optional.of(
          verdict(
              Status.MANIFEST_MISMATCH, row,
              "ledger says batch " + row.batchId() + " week " + row.period() + " rows " + row.rowCount()
                  + "; signed manifest says batch " + e.batchId() + " week " + e.period() + " rows " + e.rows()));
    }
    if (!org.beamarchiver.model.FamilyFile.parse(row.familyFiles()).equals(e.family())) {
      return Optional.of(
          verdict(Status.MANIFEST_MISMATCH, row, "the ledger's related-table archives differ from the signed manifest's"));
    }
    return Optional.empty();
  }

  /** Both halves: the object against the ledger, then the ledger against the signed manifest. */
  public Verdict verify(LedgerRow row) {
    if (row.blobUrl() == null) {
      return verdict(Status.MISSING, row, "the ledger row names no object");
    }
    Optional<Verdict> object = checkObject(row, row.blobUrl(), row.byteSize(), row.checksumSha256(), "object");
    if (object.isPresent()) {
      return object.get();
    }
    for (org.beamarchiver.model.FamilyFile f : org.beamarchiver.model.FamilyFile.parse(row.familyFiles())) {
      if (f.path().equals(row.blobUrl())) {
        continue; // a table inside the partition's one SQLite file, checked above
      }
      Optional<Verdict> member = checkObject(
          row, f.path(), f.bytes(), f.sha256(), "archive of related table " + f.table() + " (" + f.path() + ")");
      if (member.isPresent()) {
        return member.get();
      }
    }
    String folder = ArchivePaths.companionFolder(row.blobUrl());
    if (folder != null) {
      Optional<Verdict> copies = checkCopies(row, folder);
      if (copies.isPresent()) {
        return copies.get();
      }
    }
    return checkManifest(row).orElse(verdict(Status.OK, row, null));
  }

  /**
   * One object (the partition's, or a related table's archive, {@code what}): there, with the size
   * and SHA-256 the ledger lists for it.
   */
  private Optional<Verdict> checkObject(LedgerRow row, String url, Long bytes, String sha256, String what) {
    long size;
    try {
      MatchResult match = Stores.matchExact(url);
      if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
        return Optional.of(verdict(Status.MISSING, row, "no " + what + " at " + url));
      }
      size = match.metadata().get(0).sizeBytes();
    } catch (IOException e) {
      return Optional.of(verdict(Status.MISSING, row, "cannot look up the " + what + ": " + e.getMessage()));
    }
    if (bytes == null || size != bytes) {
      return Optional.of(verdict(Status.SIZE_MISMATCH, row, what + " has " + size + " bytes, ledger says " + bytes));
    }
    String sha;
    try {
      sha = sha256(url);
    } catch (IOException e) {
      return Optional.of(verdict(Status.MISSING, row, "cannot read the " + what + ": " + e.getMessage()));
    }
    if (!sha.equals(sha256)) {
      return Optional.of(verdict(Status.CHECKSUM_MISMATCH, row, what + " SHA-256 " + sha + ", ledger says " + sha256));
    }
    return Optional.empty();
  }

  /**
   * A files partition: its list (whose SHA-256 the ledger and the signed manifest hold) is
   * trusted, and every copy it lists is read through and held to the size and SHA-256 it lists.
   */
  private static Optional<Verdict> checkCopies(LedgerRow row, String folder) {
    List<FileLists.Line> lines;
    try {
      lines = FileLists.read(row.blobUrl()).lines();
    } catch (IOException | RuntimeException e) {
      return Optional.of(verdict(Status.MISSING, row, "cannot read the file list: " + e.getMessage()));
    }
    int missing = 0;
    int changed = 0;
    String first = null;
    for (FileLists.Line l : lines) {
      String copy = folder + "/" + l.path();
      String problem;
      try {
        if (Stores.matchExact(copy).status() != MatchResult.Status.OK) {
          missing++;
          problem = "the copy of " + l.path() + " is missing";
        } else {
          FileCopies.Copied c = FileCopies.read(copy);
          problem =
              c.bytes() == l.bytes() && c.sha256().equals(l.sha256())
                  ? null
                  : "the copy of " + l.path() + " has " + c.bytes() + " bytes, SHA-256 " + c.sha256() + "; its list says "
                      + l.bytes() + " bytes, " + l.sha256();
          changed += problem == null ? 0 : 1;
        }
      } catch (IOException e) {
        missing++;
        problem = "cannot read the copy of " + l.path() + ": " + e.getMessage();
      }
      first = first == null ? problem : first;
    }
    if (first == null) {
      return Optional.empty();
    }
    String detail = (missing + changed) + " of " + lines.size() + " copies fail; the first: " + first;
    return Optional.of(verdict(changed > 0 ? Status.CHECKSUM_MISMATCH : Status.MISSING, row, detail));
  }

  /**
   * Objects in the type's archive folder that no ledger row knows (current, pending or superseded
   * not yet removed), within the request's batches and weeks; names that are not archive names at
   * all are reported whatever the request.
   */
  public List<Verdict> orphans(String archiveRoot, String type, Set<String> known, ArchiveRequest request)
      throws IOException {
    Set<String> knownNames = new java.util.HashSet<>();
    for (String k : known) {
      knownNames.add(k.substring(k.lastIndexOf('/') + 1));
    }
    String dir = ArchivePaths.root(archiveRoot) + "/" + ArchivePaths.ARCHIVE_DIR + "/" + type + "/";
    if (Stores.isLocal(dir) && !java.nio.file.Files.isDirectory(java.nio.file.Paths.get(dir.replaceFirst("^file://", "")))) {
      return List.of();
    }
    MatchResult listing = Stores.match(dir + "*");
    if (listing.status() != MatchResult.Status.OK) {
      return List.of();
    }
    List<Verdict> out = new ArrayList<>();
    for (MatchResult.Metadata md : listing.metadata()) {
      String path = md.resourceId().toString();
      String name = path.substring(path.lastIndexOf('/') + 1);
      String parent = ArchivePaths.parentOfMember(name);
      if (name.isEmpty() || knownNames.contains(name) || (parent != null && knownNames.contains(parent))) {
        continue; // a related table's archive beside its parent's
      }
      Matcher m = ARCHIVE_NAME.matcher(name);
      String batch = null;
      String period = null;
      if (m.matches()) {
        batch = ArchivePaths.unescape(m.group(1));
        period = m.group(2) + "-W" + m.group(3);
        IsoWeek week;
        try {
          week = IsoWeek.parse(period);
        } catch (RuntimeException e) {
          week = null;
        }
        if (week != null && (!request.coversWeek(week) || !request.coversBatch(batch))) {
          continue;
        }
      }
      out.add(new Verdict(Status.ORPHAN, null, batch, period, path, "no ledger row knows this object"));
    }
    return out;
  }

  /**
   * A manifest as read, with its signature checked and its files indexed once: a manifest lists
   * every file of its run (thousands), and each of them is checked against it.
   */
  private record Checked(Manifest manifest, boolean verifies, Map<String, Manifest.Entry> files) {}

  /** The manifest at {@code url} ({@link Checked}), or the {@link IOException} reading it gave. */
  private Object manifest(String url) {
    return manifests.computeIfAbsent(
        url,
        u -> {
          try {
            Manifest m = Manifest.read(u);
            return new Checked(m, m.verifies(key), m.files());
          } catch (IOException e) {
            return e;
          }
        });
  }

  static String sha256(String url) throws IOException {
    return Stores.outage().call(
        "read " + url,
        () -> {
          MessageDigest sha = Checksums.sha256(); // anew per try: a broken read starts over
          byte[] buf = new byte[1 << 16];
          try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(url, false)))) {
            for (int n; (n = in.read(buf)) > 0; ) {
              sha.update(buf, 0, n);
            }
          }
          return Checksums.hex(sha);
        });
  }

  private static Verdict verdict(Status s, LedgerRow row, String detail) {
    return new Verdict(s, row.uuid(), row.batchId(), row.period(), row.blobUrl(), detail);
  }

  /** Whether a row is one the verifier checks: archived (SUCCESS). */
  public static boolean archived(LedgerRow row) {
    return row.archived();
  }
}
