package org.beamarchiver.io.files;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.io.FileSystems;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Checksums;
import org.beamarchiver.io.store.Stores;

/**
 * A partition's file list: what one iteration of a files partition archived, one line per file in
 * path order, gzip CSV like the row archives ({@link #HEADER}). Its SHA-256 is the partition's
 * checksum over its files; verify, delete and restore work from it.
 */
public final class FileLists {
  /** The list's columns: the path under the location, the source's size, SHA-256 and modification time. */
  public static final List<String> HEADER = List.of("path", "bytes", "sha256", "modified_millis");

  /** The columns' types, as a manifest lists them. */
  public static final List<String> TYPES = List.of("text", "bigint", "text", "bigint");

  private FileLists() {}

  /** One line of a list. */
  public record Line(String path, long bytes, String sha256, long modifiedMillis) implements java.io.Serializable {
    /** What a copy or read of the listed file must give: its size and SHA-256. */
    public FileCopies.Copied copied() {
      return new FileCopies.Copied(bytes, sha256);
    }
  }

  /** The list's bytes (uncompressed): its header, then each line, in the order given. */
  public static void write(OutputStream out, Iterable<Line> lines) throws IOException {
    out.write(CsvLines.line(HEADER.toArray()).getBytes(StandardCharsets.UTF_8));
    for (Line l : lines) {
      out.write(
          CsvLines.line(l.path(), Long.toString(l.bytes()), l.sha256(), Long.toString(l.modifiedMillis()))
              .getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A list as read: its lines, and the bytes and SHA-256 of the object they were read from. */
  public record Listed(List<Line> lines, long bytes, String sha256) {}

  /**
   * The list at {@code uri} (gzip CSV), read once, with the object's bytes and SHA-256 taken on the
   * way; an outage is ridden out ({@code Stores.outage()}), each try reading from the start.
   */
  public static Listed read(String uri) throws IOException {
    return Stores.outage().call("read " + uri, () -> readOnce(uri));
  }

  /** A partition's list as checked against the ledger: its lines, or why it cannot be trusted (lines empty). */
  public record Checked(List<Line> lines, String problem) {}

  /**
   * The list at {@code uri}, held to the size and SHA-256 the ledger records for it: a list that
   * is not a file list, cannot be read, or differs comes back with its problem and no lines.
   */
  public static Checked readChecked(String uri, long bytes, String sha256) {
    if (ArchivePaths.companionFolder(uri) == null) {
      return new Checked(List.of(), uri + " is not a file list");
    }
    try {
      Listed list = read(uri);
      if (list.bytes() != bytes || !list.sha256().equals(sha256)) {
        return new Checked(
            List.of(), "the file list has " + list.bytes() + " bytes, SHA-256 " + list.sha256() + "; the ledger says " + bytes + ", " + sha256);
      }
      return new Checked(list.lines(), null);
    } catch (IOException | RuntimeException e) {
      return new Checked(List.of(), "cannot read the file list: " + e.getMessage());
    }
  }

  private static Listed readOnce(String uri) throws IOException {
    List<Line> lines = new ArrayList<>();
    MessageDigest digest = Checksums.sha256();
    long[] bytes = new long[1];
    InputStream object =
        new FilterInputStream(
            new DigestInputStream(Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(uri, false))), digest)) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            bytes[0] += Math.max(n, 0);
            return n;
          }
        };
    try (InputStream in = new GZIPInputStream(new BufferedInputStream(object));
        CsvLines.RecordReader r = new CsvLines.RecordReader(in, HEADER.size())) {
      String[] header = r.next();
      if (header == null || !List.of(header).equals(HEADER)) {
        throw new IOException(uri + " is not a file list: its header is " + (header == null ? "missing" : List.of(header)));
      }
      for (String[] f; (f = r.next()) != null; ) {
        lines.add(new Line(f[0], Long.parseLong(f[1]), f[2], Long.parseLong(f[3])));
      }
      // the gzip trailer is read; anything after it is read too, so the checksum covers the object
      while (object.read(new byte[8192], 0, 8192) != -1) {}
    }
    return new Listed(lines, bytes[0], Checksums.hex(digest));
  }
}
