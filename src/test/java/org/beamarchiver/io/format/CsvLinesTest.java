package org.beamarchiver.io.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

class CsvLinesTest {
  private static final String[] PIECES = {
    "", "a", "\"", "\"\"", ",", "\n", "\r\n", " ", "é", "批次", "x\"y", "null", "0x00", "\\", "'"
  };

  @Test
  void theHandWrittenLineIsWhatCommonsCsvPrintsAndParsesBack() throws Exception {
    Random random = new Random(3);
    for (int n = 0; n < 2_000; n++) {
      Object[] values = new Object[1 + random.nextInt(6)];
      for (int i = 0; i < values.length; i++) {
        if (random.nextInt(5) == 0) {
          continue; // null
        }
        StringBuilder v = new StringBuilder();
        for (int k = random.nextInt(4); k > 0; k--) {
          v.append(PIECES[random.nextInt(PIECES.length)]);
        }
        values[i] = v.toString();
      }
      StringBuilder expected = new StringBuilder();
      CsvLines.FORMAT.printRecord(expected, values);
      String line = CsvLines.line(values);
      assertEquals(expected.toString(), line);

      List<CSVRecord> back = CSVParser.parse(new StringReader(line), CsvLines.FORMAT).getRecords();
      assertEquals(1, back.size());
      List<String> parsed = new ArrayList<>();
      back.get(0).forEach(parsed::add);
      List<Object> original = new ArrayList<>(values.length);
      for (Object v : values) {
        original.add(v);
      }
      assertEquals(original, new ArrayList<Object>(parsed), line);
    }
  }

  @Test
  void theUtf8RecordIsTheLinesBytesWithEveryCharacterAndUnpairedSurrogates() {
    Random random = new Random(11);
    CsvLines.Utf8Record record = new CsvLines.Utf8Record();
    String[] odd = {"\ud800", "\udc00", "😀", "\u0000", "\u007f", "\u0080", "\u07ff", "\u0800", "\uffff", "a\"\"b"};
    for (int n = 0; n < 5_000; n++) {
      String[] values = new String[1 + random.nextInt(7)];
      for (int i = 0; i < values.length; i++) {
        if (random.nextInt(5) == 0) {
          continue; // null
        }
        StringBuilder v = new StringBuilder();
        for (int k = random.nextInt(5); k > 0; k--) {
          switch (random.nextInt(3)) {
            case 0 -> v.append(PIECES[random.nextInt(PIECES.length)]);
            case 1 -> v.append(odd[random.nextInt(odd.length)]);
            default -> v.append((char) random.nextInt(0x10000));
          }
        }
        if (random.nextInt(10) == 0) {
          v.append("x".repeat(600)); // past the initial buffer
        }
        values[i] = v.toString();
      }
      record.start();
      for (String v : values) {
        record.field(v);
      }
      record.end();
      byte[] expected = CsvLines.line((Object[]) values).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(
          java.util.HexFormat.of().formatHex(expected),
          java.util.HexFormat.of().formatHex(java.util.Arrays.copyOf(record.bytes(), record.length())));
    }
  }

  @Test
  void theRecordReaderReadsWhatCommonsCsvReadsAcrossBufferRefillsAndQuotedNewlines() throws Exception {
    Random random = new Random(13);
    for (int file = 0; file < 40; file++) {
      int n = 1 + random.nextInt(5);
      StringBuilder text = new StringBuilder();
      int records = random.nextInt(400);
      for (int r = 0; r < records; r++) {
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
          if (random.nextInt(5) == 0) {
            continue;
          }
          StringBuilder v = new StringBuilder();
          for (int k = random.nextInt(4); k > 0; k--) {
            v.append(PIECES[random.nextInt(PIECES.length)]);
          }
          if (random.nextInt(50) == 0) {
            v.append("\"\n".repeat(20_000)); // a record longer than the reader's buffer
          }
          values[i] = v.toString();
        }
        text.append(CsvLines.line(values));
      }
      byte[] bytes = text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      List<List<String>> expected = new ArrayList<>();
      for (CSVRecord r : CSVParser.parse(new StringReader(text.toString()), CsvLines.FORMAT)) {
        List<String> row = new ArrayList<>();
        r.forEach(row::add);
        expected.add(row);
      }
      List<List<String>> actual = new ArrayList<>();
      // a stream that hands out few bytes at a time, as a gzip stream may
      java.io.InputStream trickle =
          new java.io.FilterInputStream(new java.io.ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
              return super.read(b, off, Math.min(len, 1 + random.nextInt(70_000)));
            }
          };
      try (CsvLines.RecordReader reader = new CsvLines.RecordReader(trickle, n)) {
        for (String[] r; (r = reader.next()) != null; ) {
          actual.add(java.util.Arrays.asList(r));
        }
      }
      assertEquals(expected, actual);
      // Reading only the last fields: the same records, the fields before left null.
      int keepFrom = random.nextInt(n + 1);
      List<List<String>> tails = new ArrayList<>();
      try (CsvLines.RecordReader reader = new CsvLines.RecordReader(new java.io.ByteArrayInputStream(bytes), n)) {
        for (String[] r; (r = reader.next(keepFrom)) != null; ) {
          tails.add(java.util.Arrays.asList(r));
        }
      }
      assertEquals(expected.size(), tails.size());
      for (int r = 0; r < tails.size(); r++) {
        for (int i = 0; i < n; i++) {
          assertEquals(i < keepFrom ? null : expected.get(r).get(i), tails.get(r).get(i));
        }
      }
    }
  }

  @Test
  void theRecordReaderRefusesWhatLineNeverWrites() {
    for (String text : new String[] {"\"a\",\"b\"\r\n", "a,\"b\"\n", "\"a\",\"b\"", "\"a\"\n", "\"a\",\"b\",\"c\"\n"}) {
      for (int keepFrom : new int[] {0, 1}) { // every field decoded, or only the last
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> {
              try (CsvLines.RecordReader reader =
                  new CsvLines.RecordReader(
                      new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 2)) {
                while (reader.next(keepFrom) != null) {}
              }
            },
            text + " (keepFrom " + keepFrom + ")");
      }
    }
  }

  @Test
  void fieldsReadBackExactlyWhatLineWrote() throws Exception {
    Random random = new Random(5);
    for (int n = 0; n < 2_000; n++) {
      String[] values = new String[1 + random.nextInt(6)];
      for (int i = 0; i < values.length; i++) {
        if (random.nextInt(5) == 0) {
          continue; // null
        }
        StringBuilder v = new StringBuilder();
        for (int k = random.nextInt(4); k > 0; k--) {
          v.append(PIECES[random.nextInt(PIECES.length)]);
        }
        values[i] = v.toString();
      }
      byte[] line = CsvLines.line((Object[]) values).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      // at an offset inside a larger array, as in a keyed row's payload
      byte[] payload = new byte[line.length + 3];
      System.arraycopy(line, 0, payload, 3, line.length);
      assertEquals(
          java.util.Arrays.asList(values),
          java.util.Arrays.asList(CsvLines.fields(payload, 3, payload.length, values.length)));
      int keepFrom = random.nextInt(values.length + 1);
      String[] tail = CsvLines.fields(payload, 3, payload.length, values.length, keepFrom);
      for (int i = 0; i < values.length; i++) {
        assertEquals(i < keepFrom ? null : values[i], tail[i]);
      }
    }
  }

  @Test
  void fieldsRefusesWhatLineNeverWrites() {
    for (String bad : new String[] {"a,\"b\"\n", "\"a\"\n", "\"a\",\"b\",\"c\"\n", "\"a,\"b\"\n", "\"a\",\"b\""}) {
      byte[] b = bad.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> CsvLines.fields(b, 0, b.length, 2), bad);
      org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> CsvLines.fields(b, 0, b.length, 2, 2), bad);
    }
  }
}
