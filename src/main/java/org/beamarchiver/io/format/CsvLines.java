package org.beamarchiver.io.format;

import java.io.IOException;
import java.io.UncheckedIOException;
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

  /** One record, with its trailing '\n'. */
  public static String line(Object... values) {
    StringBuilder sb = new StringBuilder(256);
    try {
      FORMAT.printRecord(sb, values);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sb.toString();
  }

  /** A reusable printer for one output. */
  public static CSVPrinter printer(Appendable out) throws IOException {
    return new CSVPrinter(out, FORMAT);
  }
}
