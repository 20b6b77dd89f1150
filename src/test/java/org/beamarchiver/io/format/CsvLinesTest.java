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
    }
  }

  @Test
  void fieldsRefusesWhatLineNeverWrites() {
    for (String bad : new String[] {"a,\"b\"\n", "\"a\"\n", "\"a\",\"b\",\"c\"\n", "\"a,\"b\"\n", "\"a\",\"b\""}) {
      byte[] b = bad.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> CsvLines.fields(b, 0, b.length, 2), bad);
    }
  }
}
