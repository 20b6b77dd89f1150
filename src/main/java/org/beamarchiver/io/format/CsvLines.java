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
        out[f] = escaped
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

  /** A reusable printer for one output. */
  public static CSVPrinter printer(Appendable out) throws IOException {
    return new CSVPrinter(out, FORMAT);
  }
}
