package org.beamarchiver.io.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.io.format.ParquetRows;
import org.beamarchiver.io.format.SqliteArchive;
import org.beamarchiver.model.ArchiveFormat;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.SourceRow;

/**
 * Reads archive objects back, trusting nothing: an object is first copied to a local file while
 * its SHA-256 and size are computed, checked against the ledger, then parsed in full and counted
 * (the archive's own CSV by {@link CsvLines.RecordReader}, anything else by Commons CSV).
 * Only a file that passes every check is handed out, and its rows come from that verified local
 * copy, so the object cannot change between the check and the use.
 */
public final class ArchiveReader {
  private ArchiveReader() {}

  /** Why an archive cannot be trusted. */
  public static final class VerificationException extends Exception {
    public VerificationException(String message) {
      super(message);
    }
  }

  /** A verified local copy; delete it with {@link #close()}. */
  public static final class VerifiedFile implements AutoCloseable {
    private final Path local;
    private final List<String> header;
    private final ArchiveFormat format;
    /** Whether the file is in the archive's own CSV form, which {@link CsvLines.RecordReader} reads. */
    private final boolean ownCsv;
    private final List<AutoCloseable> open = new ArrayList<>();

    VerifiedFile(Path local, List<String> header, ArchiveFormat format, boolean ownCsv) {
      this.local = local;
      this.header = header;
      this.format = format;
      this.ownCsv = ownCsv;
    }

    public ArchiveFormat format() {
      return format;
    }

    /** Each row's values (canonical text, null for null) and its archived write time. */
    public Iterator<SourceRow> rows() throws IOException {
      if (format == ArchiveFormat.SQLITE) {
        return table(SqliteArchive.tables(local).get(0).getKey(), header);
      }
      if (format == ArchiveFormat.PARQUET) {
        ParquetRows.Reader reader = ParquetRows.reader(local);
        open.add(reader);
        return reader;
      }
      if (ownCsv) {
        return ownCsvRows();
      }
      CSVParser csv = open(local);
      open.add(csv);
      Iterator<CSVRecord> records = csv.iterator();
      int n = header.size() - 1;
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          boolean more = records.hasNext();
          if (!more) {
            try {
              csv.close();
            } catch (IOException ignored) {
              // local file; removed by close()
            }
          }
          return more;
        }

        @Override
        public SourceRow next() {
          CSVRecord r = records.next();
          String[] values = new String[n];
          for (int i = 0; i < n; i++) {
            values[i] = r.get(i);
          }
          String wt = r.get(n);
          return new SourceRow(
              values, SourceRow.NO_TIME, wt == null ? SourceRow.NO_WRITE_TIME : Long.parseLong(wt));
        }
      };
    }

    /**
     * The rows of related table {@code table} inside this SQLite archive, checked against {@code
     * memberHeader} and the row count {@code rows} the ledger lists.
     */
    public Iterator<SourceRow> memberRows(String table, List<String> memberHeader, long rows)
        throws IOException, VerificationException {
      if (format != ArchiveFormat.SQLITE) {
        throw new VerificationException("the ledger lists table " + table + " inside " + format + " file, which holds one table");
      }
      long counted = countSqliteTable(local, table, memberHeader);
      long n = 0;
      for (java.util.Map.Entry<String, Long> t : SqliteArchive.tables(local)) {
        n = t.getKey().equals(table) ? t.getValue() : n;
      }
      if (counted != rows || n != rows) {
        throw new VerificationException(
            "row count mismatch: table " + table + " has " + counted + " rows (its list says " + n + "), ledger says " + rows);
      }
      return table(table, memberHeader);
    }

    private Iterator<SourceRow> table(String table, List<String> h) throws IOException {
      SqliteArchive.Rows r = SqliteArchive.rows(local, table, h.size());
      open.add(r);
      return r;
    }

    /** The rows of a file verified in the archive's own CSV form (header first). */
    private Iterator<SourceRow> ownCsvRows() throws IOException {
      CsvLines.RecordReader reader = ownCsv(local, header.size());
      open.add(reader);
      reader.next(); // the header, checked by the verification
      int n = header.size() - 1;
      return new Iterator<>() {
        private String[] next = read();

        private String[] read() {
          try {
            return reader.next();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public SourceRow next() {
          if (next == null) {
            throw new java.util.NoSuchElementException();
          }
          String[] r = next;
          next = read();
          String wt = r[n];
          return new SourceRow(
              java.util.Arrays.copyOf(r, n), SourceRow.NO_TIME, wt == null ? SourceRow.NO_WRITE_TIME : Long.parseLong(wt));
        }
      };
    }

    @Override
    public void close() throws IOException {
      for (AutoCloseable c : open) {
        try {
          c.close();
        } catch (Exception ignored) {
          // a reader of the local copy, which is removed next
        }
      }
      Files.deleteIfExists(local);
    }
  }

  /**
   * {@link #fetchVerified(ArchivedPartition, List, Path)}, riding out an object store that is
   * unreachable or answers "later" (the fetch starts over) for up to {@code outage}; a failed
   * verification is never retried.
   *
   * @throws org.beamarchiver.retry.Outage.GaveUpException when the outage outlasted the budget
   */
  public static VerifiedFile fetchVerified(
      ArchivedPartition p, List<String> expectedHeader, Path localDir, org.beamarchiver.retry.Outage outage)
      throws IOException, VerificationException {
    try {
      return outage.call(
          "fetch " + p.blobUrl(),
          () -> {
            try {
              return fetchVerified(p, expectedHeader, localDir);
            } catch (VerificationException e) {
              throw new Refused(e);
            }
          });
    } catch (Refused r) {
      throw r.verdict;
    }
  }

  /** Carries a verification failure through the outage's retry loop, which must not retry it. */
  private static final class Refused extends RuntimeException {
    final VerificationException verdict;

    Refused(VerificationException verdict) {
      super(verdict.getMessage(), null, false, false);
      this.verdict = verdict;
    }
  }

  /**
   * Fetches and verifies one archived partition: the object exists, its size and SHA-256 equal
   * the ledger's, it parses in its format (told by the object's name: gzip CSV or Parquet) with the
   * expected columns, every record has every column and a valid write time, and the row count
   * equals the ledger's.
   */
  public static VerifiedFile fetchVerified(
      ArchivedPartition p, List<String> expectedHeader, Path localDir)
      throws IOException, VerificationException {
    if (p.blobUrl() == null || p.sha256() == null || p.byteSize() < 0 || p.rowCount() < 0) {
      throw new VerificationException("ledger row lacks blob_url, checksum, size or row count");
    }
    ArchiveFormat format =
        ArchiveFormat.ofObject(p.blobUrl())
            .orElseThrow(
                () -> new VerificationException(
                    "not an archive file name (no " + ArchiveFormat.allowed() + " suffix): " + p.blobUrl()));
    MatchResult match = Stores.matchExact(p.blobUrl()); // OK or NOT_FOUND; a failed lookup throws
    if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
      throw new VerificationException("object missing: " + p.blobUrl());
    }
    Files.createDirectories(localDir);
    Path local = Files.createTempFile(localDir, "verify-", format.suffix());
    boolean ok = false;
    try {
      MessageDigest sha = Checksums.sha256();
      long size;
      try (ReadableByteChannel ch =
              FileSystems.open(match.metadata().get(0).resourceId());
          InputStream in = new DigestInputStream(Channels.newInputStream(ch), sha);
          OutputStream out = Files.newOutputStream(local)) {
        size = in.transferTo(out);
      }
      if (size != p.byteSize()) {
        throw new VerificationException(
            "size mismatch: object has " + size + " bytes, ledger says " + p.byteSize());
      }
      String actual = Checksums.hex(sha);
      if (!actual.equals(p.sha256())) {
        throw new VerificationException(
            "checksum mismatch: object SHA-256 " + actual + ", ledger says " + p.sha256());
      }
      long rows;
      boolean ownCsv = false;
      if (format == ArchiveFormat.PARQUET) {
        rows = countParquet(local, expectedHeader);
      } else if (format == ArchiveFormat.SQLITE) {
        rows = countSqlite(local, expectedHeader);
      } else {
        long own = countOwnCsv(local, expectedHeader);
        ownCsv = own >= 0;
        rows = ownCsv ? own : countCsv(local, expectedHeader);
      }
      if (rows != p.rowCount()) {
        throw new VerificationException(
            "row count mismatch: file has " + rows + " rows, ledger says " + p.rowCount());
      }
      ok = true;
      return new VerifiedFile(local, expectedHeader, format, ownCsv);
    } finally {
      if (!ok) {
        Files.deleteIfExists(local);
      }
    }
  }

  /**
   * {@link #countCsv} on the fast path: the rows of a file in the archive's own CSV form with the
   * expected header, every record of the header's width with a valid write time; -1 when the file
   * is not in that form (then {@link #countCsv} decides, and reports what is wrong).
   */
  private static long countOwnCsv(Path local, List<String> expectedHeader) {
    int n = expectedHeader.size();
    long rows = 0;
    try (CsvLines.RecordReader reader = ownCsv(local, n)) {
      String[] header = reader.next();
      if (header == null || !java.util.Arrays.asList(header).equals(expectedHeader)) {
        return -1;
      }
      // Every record checked whole; only the write time (the last field) decoded.
      for (String[] r; (r = reader.next(n - 1)) != null; ) {
        if (r[n - 1] != null) {
          Long.parseLong(r[n - 1]);
        }
        rows++;
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return rows;
  }

  static CsvLines.RecordReader ownCsv(Path local, int fields) throws IOException {
    return new CsvLines.RecordReader(new GZIPInputStream(Files.newInputStream(local), 1 << 16), fields);
  }

  /** Parses a gzip CSV copy in full: its header, every record's width and write time; its rows. */
  private static long countCsv(Path local, List<String> expectedHeader) throws VerificationException {
    long rows = 0;
    try (CSVParser csv = open(local)) {
      if (!csv.getHeaderNames().equals(expectedHeader)) {
        throw new VerificationException(
            "columns differ: file has " + csv.getHeaderNames() + ", table has " + expectedHeader);
      }
      int n = expectedHeader.size();
      for (CSVRecord r : csv) {
        rows++;
        if (r.size() != n) {
          throw new VerificationException(
              "record " + rows + " has " + r.size() + " fields, expected " + n);
        }
        String wt = r.get(n - 1);
        if (wt != null) {
          try {
            Long.parseLong(wt);
          } catch (NumberFormatException e) {
            throw new VerificationException("record " + rows + " has a bad write time: " + wt);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new VerificationException("does not parse as gzip CSV: " + e.getMessage());
    }
    return rows;
  }

  /** Reads the parent table of a SQLite copy in full: its columns must be the header's; its rows. */
  private static long countSqlite(Path local, List<String> expectedHeader) throws VerificationException {
    try {
      List<java.util.Map.Entry<String, Long>> tables = SqliteArchive.tables(local);
      if (tables.isEmpty()) {
        throw new VerificationException("the SQLite archive lists no table");
      }
      return countSqliteTable(local, tables.get(0).getKey(), expectedHeader);
    } catch (IOException | RuntimeException e) {
      throw new VerificationException("does not read as a SQLite archive: " + e.getMessage());
    }
  }

  /** Reads table {@code table} of a SQLite copy in full: its columns must be {@code header}'s; its rows. */
  private static long countSqliteTable(Path local, String table, List<String> header)
      throws IOException, VerificationException {
    String problem = SqliteArchive.problem(local, table, header);
    if (problem != null) {
      throw new VerificationException(problem);
    }
    return count(SqliteArchive.rows(local, table, header.size()));
  }

  private static long count(SqliteArchive.Rows rows) {
    long n = 0;
    try (rows) {
      while (rows.hasNext()) {
        rows.next();
        n++;
      }
    }
    return n;
  }

  /** Reads a Parquet copy in full: its schema must be the archive's for the header; its rows. */
  private static long countParquet(Path local, List<String> expectedHeader) throws VerificationException {
    long rows = 0;
    try {
      String problem = ParquetRows.problem(local, expectedHeader);
      if (problem != null) {
        throw new VerificationException(problem);
      }
      try (ParquetRows.Reader reader = ParquetRows.reader(local)) {
        while (reader.hasNext()) {
          reader.next();
          rows++;
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new VerificationException("does not parse as Parquet: " + e);
    }
    return rows;
  }

  static CSVParser open(Path local) throws IOException {
    return CsvLines.READ_FORMAT.parse(
        new InputStreamReader(
            new GZIPInputStream(Files.newInputStream(local), 1 << 16), StandardCharsets.UTF_8));
  }
}
