package org.beamarchiver.io.format;

import java.io.IOException;
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

  /** A reusable printer for one output. */
  public static CSVPrinter printer(Appendable out) throws IOException {
    return new CSVPrinter(out, FORMAT);
  }
}
