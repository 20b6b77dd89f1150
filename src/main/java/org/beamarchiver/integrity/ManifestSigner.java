package org.beamarchiver.integrity;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.RollupStats;

/**
 * The archive's signing step, run under the table's lease after the run's objects were checked:
 * one signed manifest for the files this run archived, and one for archived files of earlier runs
 * that no manifest lists yet (a run that died before signing, or ledgers older than manifests).
 * Those earlier files are hashed again first and signed only when object and ledger agree, so a
 * signature never vouches for a file nobody checked.
 */
public final class ManifestSigner {
  /** What was signed: this run's manifest, the adopted one, and files left unsigned. */
  public record Result(String manifest, int files, String adoptedManifest, int adopted, List<String> notSigned) {}

  private ManifestSigner() {}

  /**
   * Signs the run's unsigned files into its manifest, and adopts earlier runs' unsigned files whose
   * objects check out; {@code columns} and {@code types} are the files' columns as the manifest
   * lists them.
   */
  public static Result sign(
      Ledger ledger, String type, String table, List<String> columns, List<String> types, String archiveRoot,
      String runId, SigningKey key, Consumer<String> notes)
      throws SQLException, IOException {
    List<LedgerRow> own = new ArrayList<>();
    List<LedgerRow> earlier = new ArrayList<>();
    for (LedgerRow r : ledger.archives().unsignedRows(type)) {
      (runId.equals(r.runId()) ? own : earlier).add(r);
    }
    String ownUrl = write(ledger, type, table, columns, types, archiveRoot, runId, runId, key, own);
    List<LedgerRow> adoptable = new ArrayList<>();
    List<String> notSigned = new ArrayList<>();
    ArchiveVerifier verifier = new ArchiveVerifier(key);
    for (LedgerRow r : earlier) {
      ArchiveVerifier.Verdict v = verifier.verify(r);
      // Unsigned is expected here; what matters is that the object is the one the ledger recorded.
      if (v.status() == ArchiveVerifier.Status.OK || v.status() == ArchiveVerifier.Status.SIGNATURE_INVALID) {
        adoptable.add(r);
      } else {
        notSigned.add(r.batchId() + " " + r.period() + ": " + v.describe());
        ledger.verifications().record(r.uuid(), v.describe());
      }
    }
    String adoptedUrl = write(ledger, type, table, columns, types, archiveRoot, runId + "-adopted", runId, key, adoptable);
    if (!adoptable.isEmpty()) {
      notes.accept(
          "signed " + adoptable.size() + " file(s) of earlier runs that no manifest listed, after checking"
              + " their objects: " + adoptedUrl);
    }
    for (String n : notSigned) {
      notes.accept("not signed (object differs from the ledger; see verify): " + n);
    }
    return new Result(ownUrl, own.size(), adoptedUrl, adoptable.size(), notSigned);
  }

  private static String write(
      Ledger ledger, String type, String table, List<String> columns, List<String> types, String archiveRoot,
      String name, String runId, SigningKey key, List<LedgerRow> rows)
      throws IOException, SQLException {
    if (rows.isEmpty()) {
      return null;
    }
    List<Manifest.Entry> entries = new ArrayList<>();
    Map<String, String> blobs = new LinkedHashMap<>();
    for (LedgerRow r : rows) {
      entries.add(entry(r));
      blobs.put(r.uuid(), r.blobUrl());
    }
    Manifest m =
        Manifest.sign(key, runId, type, table, Instant.now().toString(), columns, types, entries);
    String url = Manifest.path(archiveRoot, type, name);
    m.write(url);
    ledger.archives().setManifest(blobs, url);
    return url;
  }

  static Manifest.Entry entry(LedgerRow r) {
    return new Manifest.Entry(
        r.blobUrl(), r.batchId(), r.period(), r.byteSize() == null ? -1 : r.byteSize(), r.checksumSha256(),
        r.rowCount() == null ? -1 : r.rowCount(), r.minTime() == null ? null : r.minTime().toString(),
        r.maxTime() == null ? null : r.maxTime().toString(),
        r.rollupStats() == null ? null : RollupStats.parse(r.rollupStats()),
        org.beamarchiver.model.FamilyFile.parse(r.familyFiles()));
  }
}
