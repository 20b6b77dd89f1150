package org.beamarchiver.io.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.SourceRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verified read of a CSV archive: the archive's own form on the fast path, any other through Commons CSV. */
class ArchiveReaderTest {
  private static final List<String> HEADER = List.of("user_id", "note", "_writetime_micros");
  private static final String[][] ROWS = {
    {"u1", "plain", "100"}, {"u2", "with \"quotes\", a comma\nand a newline", "200"}, {"u3", null, null}, {"u4", "", "400"}
  };

  @TempDir Path dir;

  private ArchivedPartition gz(String name, String text, long rows) throws Exception {
    Path file = dir.resolve(name + "-2024-01-1.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    byte[] bytes = Files.readAllBytes(file);
    return new ArchivedPartition(
        "uuid-" + name, PartitionKey.of("b", IsoWeek.parse("2024-W01")), file.toString(), rows, bytes.length,
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
  }

  private static List<List<String>> read(ArchivedPartition p, Path local) throws Exception {
    List<List<String>> out = new ArrayList<>();
    try (ArchiveReader.VerifiedFile f = ArchiveReader.fetchVerified(p, HEADER, local)) {
      for (Iterator<SourceRow> it = f.rows(); it.hasNext(); ) {
        SourceRow r = it.next();
        List<String> row = new ArrayList<>(Arrays.asList(r.values()));
        row.add(r.writeTimeMicros() == SourceRow.NO_WRITE_TIME ? null : Long.toString(r.writeTimeMicros()));
        out.add(row);
      }
    }
    return out;
  }

  private static List<List<String>> expected() {
    List<List<String>> out = new ArrayList<>();
    for (String[] r : ROWS) {
      out.add(Arrays.asList(r));
    }
    return out;
  }

  @Test
  void theArchivesOwnCsvAndAnyOtherCsvFormGiveTheSameRows() throws Exception {
    StringBuilder own = new StringBuilder(CsvLines.line(HEADER.toArray()));
    for (String[] r : ROWS) {
      own.append(CsvLines.line((Object[]) r));
    }
    assertEquals(expected(), read(gz("own", own.toString(), ROWS.length), dir.resolve("l1")));

    // Header and simple values unquoted, records ending "\r\n": not the archive's form, still CSV.
    String other =
        "user_id,note,_writetime_micros\r\nu1,plain,100\r\nu2,\"with \"\"quotes\"\", a comma\nand a newline\",200\r\n"
            + "u3,,\r\nu4,\"\",400\r\n";
    assertEquals(expected(), read(gz("other", other, ROWS.length), dir.resolve("l2")));
  }

  @Test
  void aFileThatDoesNotParseOrCountsOtherRowsIsRefusedOnEitherPath() throws Exception {
    StringBuilder own = new StringBuilder(CsvLines.line(HEADER.toArray()));
    for (String[] r : ROWS) {
      own.append(CsvLines.line((Object[]) r));
    }
    ArchiveReader.VerificationException count =
        assertThrows(
            ArchiveReader.VerificationException.class,
            () -> read(gz("count", own.toString(), ROWS.length + 1), dir.resolve("l3")));
    assertTrue(count.getMessage().contains("row count mismatch: file has 4 rows"), count.getMessage());

    String shortRecord = CsvLines.line(HEADER.toArray()) + CsvLines.line("u1", "only two");
    ArchiveReader.VerificationException width =
        assertThrows(ArchiveReader.VerificationException.class, () -> read(gz("width", shortRecord, 1), dir.resolve("l4")));
    assertTrue(width.getMessage().contains("record 1 has 2 fields, expected 3"), width.getMessage());

    String badTime = CsvLines.line(HEADER.toArray()) + CsvLines.line("u1", "x", "soon");
    ArchiveReader.VerificationException time =
        assertThrows(ArchiveReader.VerificationException.class, () -> read(gz("time", badTime, 1), dir.resolve("l5")));
    assertTrue(time.getMessage().contains("bad write time: soon"), time.getMessage());

    String otherHeader = CsvLines.line("user_id", "comment", "_writetime_micros") + CsvLines.line("u1", "x", "1");
    ArchiveReader.VerificationException columns =
        assertThrows(ArchiveReader.VerificationException.class, () -> read(gz("cols", otherHeader, 1), dir.resolve("l6")));
    assertTrue(columns.getMessage().contains("columns differ"), columns.getMessage());
  }
}
