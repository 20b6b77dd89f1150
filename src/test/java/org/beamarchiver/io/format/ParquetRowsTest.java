package org.beamarchiver.io.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.beamarchiver.model.SourceRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet files give back exactly the canonical texts and write times written into them. */
class ParquetRowsTest {
  @TempDir Path dir;

  private static final List<String> HEADER = List.of("id", "question", "score", "updated_on", "_writetime_micros");

  /** Canonical texts as the archive writes them: JSON collections, quotes, separators, unicode. */
  static final String[] TEXTS = {
    null,
    "",
    " ",
    "a",
    "null",
    "\"",
    "\"\"",
    ",",
    "\n",
    "\r\n",
    "é",
    "批次",
    "😀 emoji",
    "x\"y,z\nw",
    "\\",
    "'",
    "[]",
    "{}",
    "[{\"id\":\"q1\",\"max_score\":1.0,\"params\":[{\"k\":\"v\"}],\"resvalues\":null,\"title\":\"Ünïcødé \\\"q\\\"\"}]",
    "{\"a\":1,\"b\":[1,2,3]}",
    "[\"x\",\"y\"]",
    "2016-01-04T00:00:00.000Z",
    "-0.0",
    "1.0E-7",
    "NaN",
    "x".repeat(70_000),
  };

  private Path write(List<SourceRow> rows) throws Exception {
    Path file = dir.resolve("t.parquet");
    try (OutputStream out = Files.newOutputStream(file);
        ParquetRows.Writer w = ParquetRows.writer(out, HEADER)) {
      for (SourceRow r : rows) {
        w.write(r.values(), r.writeTimeMicros());
      }
    }
    return file;
  }

  private static List<SourceRow> readAll(Path file) throws Exception {
    List<SourceRow> back = new ArrayList<>();
    try (ParquetRows.Reader r = ParquetRows.reader(file)) {
      r.forEachRemaining(back::add);
    }
    return back;
  }

  @Test
  void everyCanonicalTextAndNullComesBackExactlyInOrder() throws Exception {
    List<SourceRow> rows = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < TEXTS.length; i++) {
      // each text once in every column, then random mixes
      rows.add(new SourceRow(new String[] {"id" + i, TEXTS[i], TEXTS[i], TEXTS[i]}, SourceRow.NO_TIME, 1_000L + i));
    }
    for (int i = 0; i < 2_000; i++) {
      String[] v = new String[4];
      for (int c = 0; c < 4; c++) {
        v[c] = TEXTS[random.nextInt(TEXTS.length - 1)];
      }
      long wt = random.nextInt(10) == 0 ? SourceRow.NO_WRITE_TIME : random.nextLong();
      rows.add(new SourceRow(v, SourceRow.NO_TIME, wt));
    }
    rows.add(new SourceRow(new String[4], SourceRow.NO_TIME, SourceRow.NO_WRITE_TIME));
    rows.add(new SourceRow(new String[] {"", "", "", ""}, SourceRow.NO_TIME, 0L));

    Path file = write(rows);
    List<SourceRow> back = readAll(file);
    assertEquals(rows.size(), back.size());
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(Arrays.asList(rows.get(i).values()), Arrays.asList(back.get(i).values()), "row " + i);
      assertEquals(rows.get(i).writeTimeMicros(), back.get(i).writeTimeMicros(), "write time of row " + i);
    }
    // null and "" stay apart
    SourceRow allNull = back.get(back.size() - 2);
    SourceRow allEmpty = back.get(back.size() - 1);
    assertNull(allNull.values()[0]);
    assertEquals("", allEmpty.values()[0]);
  }

  @Test
  void theSchemaIsTextColumnsThenAnInt64WriteTime() throws Exception {
    Path file = write(List.of(new SourceRow(new String[] {"1", "q", "2", "t"}, SourceRow.NO_TIME, 5L)));
    MessageType schema = ParquetRows.fileSchema(file);
    assertEquals(
        "message archive_row {\n"
            + "  optional binary id (STRING);\n"
            + "  optional binary question (STRING);\n"
            + "  optional binary score (STRING);\n"
            + "  optional binary updated_on (STRING);\n"
            + "  optional int64 _writetime_micros;\n"
            + "}\n",
        schema.toString());
    assertNull(ParquetRows.schemaProblem(schema, HEADER));
    String m = ParquetRows.schemaProblem(schema, List.of("id", "question", "updated_on", "score", "_writetime_micros"));
    assertTrue(m.startsWith("columns differ: file has [id, question, score, updated_on, _writetime_micros]"), m);
    m = ParquetRows.schemaProblem(ParquetRows.schema(List.of("a", "b")), List.of("a", "b"));
    assertNull(m);
    MessageType typed =
        org.apache.parquet.schema.Types.buildMessage()
            .optional(org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32).named("a")
            .optional(org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64).named("b")
            .named("archive_row");
    m = ParquetRows.schemaProblem(typed, List.of("a", "b"));
    assertTrue(m != null && m.startsWith("column a is optional int32 a in the file"), m);
  }

  @Test
  void sameRowsGiveTheSameBytes() throws Exception {
    List<SourceRow> rows = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      rows.add(new SourceRow(new String[] {"id" + i, TEXTS[i % TEXTS.length], "" + i, "t"}, SourceRow.NO_TIME, i));
    }
    byte[] a = Files.readAllBytes(write(rows));
    byte[] b = Files.readAllBytes(write(rows));
    assertTrue(Arrays.equals(a, b));
  }

  @Test
  void rowGroupsStayBoundedWhateverTheFileSize() throws Exception {
    // ~10 MB of distinct text in 1 MB row groups (the writer's are ROW_GROUP_BYTES): many groups
    Random random = new Random(11);
    Path file = dir.resolve("big.parquet");
    long rows = 0;
    try (OutputStream out = Files.newOutputStream(file);
        ParquetRows.Writer w = ParquetRows.writer(out, HEADER, 1 << 20)) {
      byte[] buf = new byte[1000];
      for (int i = 0; i < 10_000; i++) {
        random.nextBytes(buf);
        w.write(new String[] {"id" + i, java.util.HexFormat.of().formatHex(buf, 0, 500), null, ""}, i);
        rows++;
      }
    }
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      assertEquals(rows, r.getRecordCount());
      assertTrue(r.getRowGroups().size() >= 5, "row groups: " + r.getRowGroups().size());
      r.getRowGroups().forEach(g -> assertTrue(g.getTotalByteSize() <= 2 << 20, "group of " + g.getTotalByteSize()));
    }
    assertFalse(readAll(file).isEmpty());
  }
}
