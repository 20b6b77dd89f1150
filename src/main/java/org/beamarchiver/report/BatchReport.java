package org.beamarchiver.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.commons.csv.CSVRecord;
import org.beamarchiver.integrity.ArchiveVerifier;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.io.LiveSources;
import org.beamarchiver.io.source.LiveSource;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.io.store.ArchiveReader;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.SourceTable;
import org.beamarchiver.options.ReportOptions;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;
import org.beamarchiver.transforms.ExternalSorter;
import org.beamarchiver.transforms.SortKeys;

/**
 * The batch report: every archived file of one batch that the ledger lists (each verified against
 * its signed manifest and its recorded size, SHA-256 and row count first) and the batch's live rows,
 * merged by primary key keeping the row with the latest time column (the live row on a tie), written
 * as one CSV in primary-key order. Rows stream through an external sort (bounded memory, spills to
 * local disk), so a batch of any size fits. An archive that is missing or fails verification fails
 * the report, naming it, unless {@code --allowMissingArchives}: then the report is written and says
 * what it lacks. Runs in the launching process: one batch is one read of the archive files plus a
 * filtered scan of the live table.
 */
public final class BatchReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the report read, merged, wrote and lacks. */
  public record Summary(
      String output, int archives, long archivedRows, long liveRows, long duplicates, long attempts, long reportRows,
      List<String> lacking) {}

  /** A report that cannot be written as asked (missing archives without --allowMissingArchives). */
  public static final class IncompleteException extends Exception {
    public IncompleteException(String message) {
      super(message);
    }
  }

  private BatchReport() {}

  public static Summary run(ReportOptions o, Consumer<String> notes) throws Exception {
    if (o.getBatchId() == null || o.getBatchId().isEmpty()) {
      throw new IllegalArgumentException("--batchId is required: the batch to report on");
    }
    if (o.getOutput() == null || o.getOutput().isEmpty()) {
      throw new IllegalArgumentException("--output is required: where the report CSV goes");
    }
    LocalDate from = day("--from", o.getFrom());
    LocalDate to = day("--to", o.getTo());
    if (from != null && to != null && to.isBefore(from)) {
      throw new IllegalArgumentException("--to=" + to + " is before --from=" + from);
    }
    if (o.getSortMemoryMb() == null || o.getSortMemoryMb() < 16) {
      throw new IllegalArgumentException("--sortMemoryMb=" + o.getSortMemoryMb() + " must be 16 or more");
    }
    TableSpec spec = TableSpecLoader.load(Path.of(o.getTableSpec()));
    if (spec.sourceKind() == TableSpec.SourceKind.files) {
      throw new IllegalArgumentException(
          "report merges archives with the live rows of a table; " + o.getTableSpec()
              + " has source.kind files (archive, verify, status, delete, purge and restore serve it)");
    }
    boolean summaries = Boolean.TRUE.equals(o.getSummaries());
    if (summaries && spec.summary() == null) {
      throw new IllegalArgumentException(
          "--summaries needs a table spec with a summary (source.kind jdbc); " + o.getTableSpec() + " has none");
    }
    String root = Stores.normalizeRoot(o.getArchiveRoot());
    SigningKey key = SigningKey.resolve(o, false, notes);
    Stores.configure(o);
    Ledger ledger = new Ledger(Ledger.endpoint(o));
    ledger.migrate();
    LiveSource source = LiveSources.of(spec, o);
    long fromMillis = from == null ? Long.MIN_VALUE : from.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long toMillis = to == null ? Long.MAX_VALUE : to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();

    SourceTable table = source.resolve();
    if (summaries) {
      long[] n = SummaryReport.write(spec, source.family(table), o.getBatchId(), o.getOutput(), notes);
      return new Summary(o.getOutput(), 0, n[1], n[0], 0, n[0] + n[1], n[0] + n[1] + 1, List.of());
    }
    RowLayout layout = table.layout();
    Columns columns = Columns.of(spec, layout, source, Boolean.TRUE.equals(o.getPerQuestion()));

    // Archives first: each verified before any of its rows is used.
    ArchiveVerifier verifier = new ArchiveVerifier(key);
    List<String> lacking = new ArrayList<>();
    List<ArchivedPartition> archives = new ArrayList<>();
    for (LedgerRow r : ledger.archives().rowsOfBatch(spec.archiveType(), o.getBatchId())) {
      if (!ArchiveVerifier.archived(r) || !overlaps(r.period(), fromMillis, toMillis)) {
        continue;
      }
      Optional<ArchiveVerifier.Verdict> bad = verifier.checkManifest(r);
      if (bad.isPresent()) {
        lacking.add(r.period() + " " + r.blobUrl() + ": " + bad.get().describe());
        continue;
      }
      archives.add(r.archivedPartition());
    }
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "beam-archiver-report");
    long archivedRows = 0;
    long liveRows = 0;
    try (ExternalSorter sorter = new ExternalSorter((long) o.getSortMemoryMb() << 20, tmp)) {
      List<String> header = List.of(layout.fileHeader());
      int read = 0;
      for (ArchivedPartition p : archives) {
        try (ArchiveReader.VerifiedFile file = ArchiveReader.fetchVerified(p, header, tmp)) {
          for (Iterator<SourceRow> rows = file.rows(); rows.hasNext(); ) {
            SourceRow row = rows.next();
            long time = time(row.values()[layout.time()]);
            if (time >= fromMillis && time < toMillis) {
              sorter.add(SortKeys.of(row.values(), layout.primaryKey()), record(time, false, row.values()));
              archivedRows++;
            }
          }
          read++;
        } catch (ArchiveReader.VerificationException e) {
          lacking.add(p.partition().period() + " " + p.blobUrl() + ": " + e.getMessage());
        }
      }
      if (!lacking.isEmpty() && !Boolean.TRUE.equals(o.getAllowMissingArchives())) {
        throw new IncompleteException(
            "the report of batch " + o.getBatchId() + " would be incomplete: " + lacking.size()
                + " archive(s) the ledger lists are missing or fail verification (nothing written; "
                + "--allowMissingArchives writes the report anyway and lists them):\n  " + String.join("\n  ", lacking));
      }
      notes.accept("read " + archivedRows + " archived row(s) from " + read + " verified file(s)");

      // Live rows of the batch, as the source reads them.
      long[] live = {0};
      source.readBatch(
          table,
          o.getBatchId(),
          row -> {
            if (row.hasTime() && row.timeMillis() >= fromMillis && row.timeMillis() < toMillis) {
              sorter.add(SortKeys.of(row.values(), layout.primaryKey()), record(row.timeMillis(), true, row.values()));
              live[0]++;
            }
          });
      liveRows = live[0];
      notes.accept("read " + liveRows + " live row(s) of batch " + o.getBatchId());

      long[] written = write(o.getOutput(), columns, sorter.sorted());
      if (!lacking.isEmpty()) {
        writeLacking(o.getOutput() + ".lacking.txt", o.getBatchId(), lacking);
      }
      return new Summary(
          o.getOutput(), read, archivedRows, liveRows, archivedRows + liveRows - written[0], written[0], written[1],
          List.copyOf(lacking));
    }
  }

  /** The merge: for each primary key the latest row, then its report line(s); {attempts, report rows}. */
  private static long[] write(String output, Columns columns, Iterator<byte[][]> sorted) throws IOException {
    long attempts = 0;
    long reportRows = 0;
    org.apache.beam.sdk.io.fs.ResourceId target = FileSystems.matchNewResource(output, false);
    OutputStream raw = Channels.newOutputStream(FileSystems.create(target, "text/csv"));
    OutputStream body = output.endsWith(".gz") ? new GZIPOutputStream(raw, 1 << 16) : raw;
    // The writer alone is closed (closing it closes the rest once: a channel closed twice would
    // complete an object store's upload twice).
    try (Writer out = new OutputStreamWriter(body, StandardCharsets.UTF_8)) {
      out.write(CsvLines.line(columns.header().toArray()));
      byte[] key = null;
      byte[] best = null;
      while (true) {
        byte[][] next = sorted.hasNext() ? sorted.next() : null;
        if (key != null && (next == null || !Arrays.equals(key, next[0]))) {
          reportRows += columns.write(values(best), out);
          attempts++;
          best = null;
        }
        if (next == null) {
          break;
        }
        key = next[0];
        if (best == null || later(next[1], best)) {
          best = next[1];
        }
      }
    } catch (IOException | RuntimeException e) {
      try {
        FileSystems.delete(List.of(target), StandardMoveOptions.IGNORE_MISSING_FILES);
      } catch (IOException ignored) {
        // the original error says more
      }
      throw e;
    }
    return new long[] {attempts, reportRows};
  }

  private static void writeLacking(String path, String batch, List<String> lacking) throws IOException {
    try (Writer w =
        new OutputStreamWriter(
            Channels.newOutputStream(FileSystems.create(FileSystems.matchNewResource(path, false), "text/plain")),
            StandardCharsets.UTF_8)) {
      w.write("The report of batch " + batch + " lacks the rows of these archives (missing or failing verification):\n");
      for (String l : lacking) {
        w.write(l + "\n");
      }
    }
  }

  /** A sort record's value: time, then live (1) or archived (0), then the row as a CSV line. */
  private static byte[] record(long time, boolean live, String[] values) {
    byte[] line = CsvLines.line((Object[]) values).getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[9 + line.length];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (time >>> (56 - 8 * i));
    }
    out[8] = (byte) (live ? 1 : 0);
    System.arraycopy(line, 0, out, 9, line.length);
    return out;
  }

  /** Latest time wins; on a tie the live row. */
  private static boolean later(byte[] a, byte[] b) {
    long ta = ByteBuffer.wrap(a).getLong();
    long tb = ByteBuffer.wrap(b).getLong();
    return ta != tb ? ta > tb : a[8] > b[8];
  }

  private static String[] values(byte[] record) throws IOException {
    String line = new String(record, 9, record.length - 9, StandardCharsets.UTF_8);
    CSVRecord r = CsvLines.FORMAT.parse(new StringReader(line)).getRecords().get(0);
    String[] v = new String[r.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.get(i);
    }
    return v;
  }

  private static long time(String text) {
    return text == null ? Long.MIN_VALUE : Instant.parse(text).toEpochMilli();
  }

  private static boolean overlaps(String period, long fromMillis, long toMillis) {
    IsoWeek w = IsoWeek.parse(period);
    long start = w.monday().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long end = w.monday().plusDays(7).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    return start < toMillis && end > fromMillis;
  }

  private static LocalDate day(String option, String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + "=" + text + " is not a date; expected YYYY-MM-DD");
    }
  }

  /** The report's columns, and how a merged row becomes report rows. */
  record Columns(List<String> header, int[] positions, int expandAt, List<String> fields) {
    static Columns of(TableSpec spec, RowLayout layout, LiveSource source, boolean perQuestion) {
      List<String> names = spec.report().columns().isEmpty() ? layout.columns() : spec.report().columns();
      int[] positions = new int[names.size()];
      for (int i = 0; i < positions.length; i++) {
        positions[i] = layout.columns().indexOf(names.get(i));
        if (positions[i] < 0) {
          throw new IllegalArgumentException(
              "table spec report.columns names '" + names.get(i) + "', which is not an archived column of "
                  + spec.qualifiedTable());
        }
      }
      List<String> header = new ArrayList<>(names);
      if (!perQuestion) {
        return new Columns(header, positions, -1, List.of());
      }
      String expand = spec.report().expand();
      if (expand == null) {
        throw new IllegalArgumentException("--perQuestion needs the table spec's report.expand: the list column to expand");
      }
      int at = layout.columns().indexOf(expand);
      if (at < 0) {
        throw new IllegalArgumentException(
            "table spec report.expand '" + expand + "' must be an archived list or set of a user type; it is not a column");
      }
      List<String> fields = source.elementFields(expand);
      for (String f : fields) {
        header.add(expand + "_" + f);
      }
      return new Columns(header, positions, at, fields);
    }

    /** Writes a merged row's report line(s); returns how many. */
    int write(String[] row, Writer out) throws IOException {
      Object[] line = new Object[header.size()];
      for (int i = 0; i < positions.length; i++) {
        line[i] = row[positions[i]];
      }
      if (expandAt < 0) {
        out.write(CsvLines.line(line));
        return 1;
      }
      JsonNode list = row[expandAt] == null ? null : JSON.readTree(row[expandAt]);
      if (list == null || !list.isArray() || list.isEmpty()) {
        out.write(CsvLines.line(line)); // an attempt without elements keeps its row, element columns empty
        return 1;
      }
      int n = 0;
      for (JsonNode element : list) {
        for (int f = 0; f < fields.size(); f++) {
          JsonNode v = element.get(fields.get(f));
          line[positions.length + f] =
              v == null || v.isNull() ? null : v.isTextual() ? v.asText() : v.isValueNode() ? v.asText() : v.toString();
        }
        out.write(CsvLines.line(line));
        n++;
      }
      return n;
    }
  }
}
