package org.beamarchiver.io.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;

/**
 * The archive's CSV dialect: RFC 4180 with '\n' records, every non-null value quoted and a null
 * written as an empty unquoted field, so that null and the empty string stay apart on the way back.
 */
public final class CsvLines {
  public static final CSVFormat FORMAT =
      CSVFormat.RFC4180
          .builder()
          .setRecordSeparator('\n')
          .setQuoteMode(QuoteMode.ALL_NON_NULL)
          .setNullString("")
          .build();

  /** Reading: the header is the first record. */
  public static final CSVFormat READ_FORMAT =
      FORMAT.builder().setHeader().setSkipHeaderRecord(true).build();

  private CsvLines() {}

  /**
   * One record, with its trailing '\n', exactly as {@link #FORMAT} prints it. Written by hand
   * because it runs for every archived row and Commons CSV appends quoted values a character at a
   * time (a tenth of the archive's CPU in a profile); {@code CsvLinesTest} holds the two equal.
   */
  public static String line(Object... values) {
    StringBuilder sb = new StringBuilder(256);
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      if (values[i] != null) {
        String v = values[i].toString();
        sb.append('"');
        int from = 0;
        for (int q = v.indexOf('"'); q >= 0; q = v.indexOf('"', from)) {
          sb.append(v, from, q + 1).append('"');
          from = q + 1;
        }
        sb.append(v, from, v.length()).append('"');
      }
    }
    return sb.append('\n').toString();
  }

  /**
   * The values of one record exactly as {@link #line} wrote it, read from UTF-8 bytes {@code
   * [from, to)} (the trailing '\n' included): an empty unquoted field is null, a quoted one its
   * text with doubled quotes undone. Written by hand as the inverse of {@link #line}, for the same
   * reason; it accepts nothing else, and {@code CsvLinesTest} holds it equal to Commons CSV.
   *
   * @throws IllegalArgumentException when the bytes are not one such record of {@code n} fields
   */
  public static String[] fields(byte[] b, int from, int to, int n) {
    return fields(b, from, to, n, 0);
  }

  /**
   * {@link #fields(byte[], int, int, int)} that makes Strings only of the fields from index {@code
   * keepFrom} on (the others stay null): the same checks, without decoding what a count of records
   * does not read.
   */
  public static String[] fields(byte[] b, int from, int to, int n, int keepFrom) {
    String[] out = new String[n];
    byte[] scratch = null;
    int at = from;
    for (int f = 0; f < n; f++) {
      if (at < to && b[at] == '"') {
        int start = ++at;
        int len = 0;
        boolean escaped = false;
        while (true) {
          if (at >= to) {
            throw new IllegalArgumentException("unterminated quoted field " + (f + 1));
          }
          if (b[at] == '"') {
            if (at + 1 < to && b[at + 1] == '"') {
              if (f < keepFrom) {
                at += 2;
                continue;
              }
              if (scratch == null) {
                scratch = new byte[to - from];
              }
              if (!escaped) {
                System.arraycopy(b, start, scratch, 0, at - start);
                len = at - start;
                escaped = true;
              }
              scratch[len++] = '"';
              at += 2;
              continue;
            }
            break;
          }
          if (escaped) {
            scratch[len++] = b[at];
          }
          at++;
        }
        out[f] = f < keepFrom
            ? null
            : escaped
            ? new String(scratch, 0, len, StandardCharsets.UTF_8)
            : new String(b, start, at - start, StandardCharsets.UTF_8);
        at++; // the closing quote
      }
      byte expected = f == n - 1 ? (byte) '\n' : (byte) ',';
      if (at >= to || b[at] != expected) {
        throw new IllegalArgumentException(
            "field " + (f + 1) + " of " + n + " is not followed by " + (f == n - 1 ? "the record's end" : "','"));
      }
      at++;
    }
    if (at != to) {
      throw new IllegalArgumentException("more than " + n + " fields");
    }
    return out;
  }

  /**
   * Builds records as UTF-8 bytes, exactly the bytes of {@link #line} encoded (held equal in
   * {@code CsvLinesTest}), without the line's String: the archive writes a record per row, and
   * building it char by char, then as text, then as bytes, was a fifth of its CPU. Reused, by one
   * thread: {@link #start}, {@link #field} per value, {@link #end}; the record is {@code [0, length())}
   * of {@link #bytes()}.
   */
  public static final class Utf8Record {
    private byte[] buf = new byte[512];
    private int len;
    private boolean first;

    public Utf8Record start() {
      len = 0;
      first = true;
      return this;
    }

    /** Appends a value: quoted with its quotes doubled, or nothing (after the comma) for null. */
    public Utf8Record field(String v) {
      if (!first) {
        put((byte) ',');
      }
      first = false;
      if (v == null) {
        return this;
      }
      // Encoded whole, then copied: a quote (0x22) never occurs inside a multi-byte sequence.
      byte[] b = v.getBytes(StandardCharsets.UTF_8);
      ensure(b.length + 2);
      buf[len++] = '"';
      int from = 0;
      for (int i = 0; i < b.length; i++) {
        if (b[i] == '"') {
          int n = i + 1 - from;
          ensure(n + 2 + (b.length - i));
          System.arraycopy(b, from, buf, len, n);
          len += n;
          buf[len++] = '"';
          from = i + 1;
        }
      }
      int n = b.length - from;
      ensure(n + 1);
      System.arraycopy(b, from, buf, len, n);
      len += n;
      buf[len++] = '"';
      return this;
    }

    /** Ends the record with its '\n'. */
    public Utf8Record end() {
      put((byte) '\n');
      return this;
    }

    public byte[] bytes() {
      return buf;
    }

    public int length() {
      return len;
    }

    private void put(byte b) {
      ensure(1);
      buf[len++] = b;
    }

    private void ensure(int more) {
      if (len + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }
  }

  /**
   * Reads back, record by record, a stream of records exactly as {@link #line} writes them (the
   * archive's own files), with {@link #fields}: a record ends at the first '\n' outside quotes (a
   * quote toggles, a doubled one twice). Anything else (another quoting, '\r\n' records, a last
   * record without its '\n') is refused with {@link IllegalArgumentException}, so that a caller can
   * fall back to Commons CSV, which {@code CsvLinesTest} holds this equal to. One thread.
   */
  public static final class RecordReader implements java.io.Closeable {
    private final java.io.InputStream in;
    private final int n;
    private byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean eof;

    /** Records of {@code n} fields. */
    public RecordReader(java.io.InputStream in, int n) {
      this.in = in;
      this.n = n;
    }

    /** The next record's fields, or null after the last one. */
    public String[] next() throws IOException {
      return next(0);
    }

    /**
     * The next record, checked as by {@link #next()}, with only its fields from index {@code
     * keepFrom} on as Strings (see {@link CsvLines#fields(byte[], int, int, int, int)}).
     */
    public String[] next(int keepFrom) throws IOException {
      int scan = pos;
      boolean quoted = false;
      while (true) {
        for (; scan < limit; scan++) {
          byte b = buf[scan];
          if (b == '"') {
            quoted = !quoted;
          } else if (b == '\n' && !quoted) {
            String[] out = fields(buf, pos, scan + 1, n, keepFrom);
            pos = scan + 1;
            return out;
          }
        }
        if (eof) {
          if (pos < limit) {
            throw new IllegalArgumentException("the last record does not end with '\\n'");
          }
          return null;
        }
        // Keep the partial record at the start of the buffer (growing it for a long record).
        int kept = limit - pos;
        if (pos > 0) {
          System.arraycopy(buf, pos, buf, 0, kept);
        } else if (kept == buf.length) {
          buf = java.util.Arrays.copyOf(buf, buf.length * 2);
        }
        scan -= pos;
        pos = 0;
        limit = kept;
        int r = in.read(buf, limit, buf.length - limit);
        if (r < 0) {
          eof = true;
        } else {
          limit += r;
        }
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** A reusable printer for one output. */
  public static CSVPrinter printer(Appendable out) throws IOException {
    return new CSVPrinter(out, FORMAT);
  }
}
