package org.beamarchiver.cli;

import java.io.PrintStream;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.beamarchiver.integrity.ArchiveVerifier;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.notify.Notice;
import org.beamarchiver.notify.Notifier;
import org.beamarchiver.options.Requests;
import org.beamarchiver.options.VerifyOptions;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;

/**
 * {@code verify}: every archived file of a table/period/batch checked again against storage (the
 * object is there, with the ledger's size and SHA-256) and against its signed manifest (signature
 * valid with the key, the file listed as the ledger records it), and objects no ledger row knows.
 * One line per file as it is checked; exit 6 when anything is not OK. Results are kept in the
 * ledger and shown by {@code status}.
 */
final class VerifyCommand extends Command<VerifyOptions> {
  VerifyCommand() {
    super(
        "verify",
        "re-check archived files against storage and their signed manifests (OK, MISSING, SIZE_MISMATCH,"
            + " CHECKSUM_MISMATCH, SIGNATURE_INVALID, MANIFEST_MISMATCH, ORPHAN)",
        VerifyOptions.class);
  }

  @Override
  ExitCode execute(VerifyOptions options, PrintStream out) throws Exception {
    Notifier notifier = Notifier.of(options);
    TableSpec spec = TableSpecLoader.load(Paths.get(options.getTableSpec()));
    ArchiveRequest request = Requests.from(options, Instant.now());
    String root = Stores.normalizeRoot(options.getArchiveRoot());
    SigningKey key = SigningKey.resolve(options, false, out::println);
    Stores.configure(options);
    Ledger ledger = new Ledger(Ledger.endpoint(options));
    ledger.migrate();
    String type = spec.archiveType();
    List<LedgerRow> rows = new ArrayList<>();
    for (LedgerRow r : ledger.archives().partitionRows(type, request).values()) {
      if (ArchiveVerifier.archived(r)) {
        rows.add(r);
      }
    }
    rows.sort(java.util.Comparator.comparing(LedgerRow::batchId).thenComparing(LedgerRow::period));
    out.println(
        "Verify  table=" + spec.qualifiedTable() + "  type=" + type + "  " + request.describe() + "  " + rows.size()
            + " archived file(s), " + key);
    boolean problemsOnly = Boolean.TRUE.equals(options.getProblemsOnly());
    ArchiveVerifier verifier = new ArchiveVerifier(key);
    Map<ArchiveVerifier.Status, Integer> counts = new EnumMap<>(ArchiveVerifier.Status.class);
    List<Notice.Problem> problems = new ArrayList<>();
    for (LedgerRow r : rows) {
      ArchiveVerifier.Verdict v = verifier.verify(r);
      ledger.verifications().record(r.uuid(), v.describe());
      report(v, counts, problemsOnly, out);
      problem(v, problems);
    }
    if (!Boolean.FALSE.equals(options.getOrphans())) {
      for (ArchiveVerifier.Verdict v : verifier.orphans(root, type, ledger.archives().knownObjects(type), request)) {
        report(v, counts, problemsOnly, out);
        problem(v, problems);
      }
    }
    int bad = counts.entrySet().stream().filter(e -> e.getKey() != ArchiveVerifier.Status.OK).mapToInt(Map.Entry::getValue).sum();
    StringBuilder summary = new StringBuilder("  checked: ");
    if (counts.isEmpty()) {
      summary.append("nothing to verify");
    }
    counts.forEach((s, n) -> summary.append(n).append(' ').append(s).append("  "));
    out.println(summary.toString().stripTrailing());
    out.println(bad == 0 ? "  result: every file verified" : "  result: " + bad + " problem(s); exit code 6");
    ExitCode code = bad == 0 ? ExitCode.OK : ExitCode.INTEGRITY;
    // Sent when it found problems (or always, with --notifyOn=ALWAYS); never changes the exit code.
    notifier.send(
        new Notice(
            "verify-" + Instant.now().toEpochMilli(), "verify", spec.qualifiedTable(),
            "{\"request\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(request.describe()) + "}",
            bad == 0 ? "VERIFIED" : "PROBLEMS_FOUND", code.code, counts.getOrDefault(ArchiveVerifier.Status.OK, 0), bad, 0,
            null, problems));
    return code;
  }

  private static void problem(ArchiveVerifier.Verdict v, List<Notice.Problem> out) {
    if (!v.ok()) {
      out.add(new Notice.Problem(v.batchId(), v.period(), v.describe() + (v.path() == null ? "" : " (" + v.path() + ")")));
    }
  }

  private static void report(
      ArchiveVerifier.Verdict v, Map<ArchiveVerifier.Status, Integer> counts, boolean problemsOnly, PrintStream out) {
    counts.merge(v.status(), 1, Integer::sum);
    if (problemsOnly && v.ok()) {
      return;
    }
    out.printf(
        "  %-18s %-24s %-9s %s%s%n",
        v.status(), v.batchId() == null ? "?" : v.batchId(), v.period() == null ? "?" : v.period(), v.path(),
        v.detail() == null ? "" : "\n" + " ".repeat(21) + v.detail());
  }
}
