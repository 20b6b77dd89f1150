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
import org.beamarchiver.model.ValueType;
import org.beamarchiver.model.ValueType.Kind;
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

  // ---------------------------------------------------------------- typed layout

  @Test
  void typedColumnsGiveBackExactlyTheirTextsAndTheSameBytes() throws Exception {
    Random random = new Random(5);
    List<ValueType> types = new ArrayList<>();
    List<String> header = new ArrayList<>();
    for (int c = 0; c < 12; c++) {
      types.add(TypedTextTest.randomType(random, 3));
      header.add("c" + c);
    }
    header.add("_writetime_micros");
    List<SourceRow> rows = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      String[] v = new String[types.size()];
      for (int c = 0; c < v.length; c++) {
        Object value = TypedTextTest.randomValue(random, types.get(c), 3);
        v[c] = value == null ? null : TypedTextTest.reference(types.get(c), value);
      }
      rows.add(new SourceRow(v, SourceRow.NO_TIME, random.nextInt(9) == 0 ? SourceRow.NO_WRITE_TIME : random.nextLong()));
    }
    Path a = writeTyped("a.parquet", header, types, rows);
    Path b = writeTyped("b.parquet", header, types, rows);
    assertTrue(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)), "same rows, same bytes");
    assertNull(ParquetRows.problem(a, header));
    List<SourceRow> back = readAll(a);
    assertEquals(rows.size(), back.size());
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(Arrays.asList(rows.get(i).values()), Arrays.asList(back.get(i).values()), "row " + i + " of " + types);
      assertEquals(rows.get(i).writeTimeMicros(), back.get(i).writeTimeMicros(), "write time of row " + i);
    }
  }

  private Path writeTyped(String name, List<String> header, List<ValueType> types, List<SourceRow> rows) throws Exception {
    Path file = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(file);
        ParquetRows.Writer w = ParquetRows.writer(out, header, types)) {
      for (SourceRow r : rows) {
        w.write(r.values(), r.writeTimeMicros());
      }
    }
    return file;
  }

  /** The assessment table's columns as Cassandra types them, and a few SQL ones. */
  static final List<ValueType> ASSESSMENT_TYPES =
      List.of(
          ValueType.of(Kind.TEXT),
          ValueType.of(Kind.TIMESTAMP_MILLIS),
          ValueType.of(Kind.DOUBLE),
          ValueType.list(
              ValueType.struct(
                  List.of("id", "assess_ts", "score", "resvalues"),
                  List.of(
                      ValueType.of(Kind.TEXT),
                      ValueType.of(Kind.TIMESTAMP_MILLIS),
                      ValueType.of(Kind.DOUBLE),
                      ValueType.list(ValueType.map(ValueType.of(Kind.TEXT), ValueType.of(Kind.TEXT)))))),
          ValueType.map(ValueType.of(Kind.INT32), ValueType.of(Kind.BLOB_0X)),
          ValueType.tuple(List.of(ValueType.of(Kind.INT8), ValueType.of(Kind.UUID))),
          ValueType.decimal(10, 2),
          ValueType.decimal(30, 5),
          ValueType.of(Kind.LOCAL_TIMESTAMP_MICROS),
          ValueType.of(Kind.DATE_ISO),
          ValueType.of(Kind.NUMBER));

  @Test
  void theTypedSchemaFollowsTheSourceTypes() throws Exception {
    List<String> header =
        List.of("id", "updated_on", "total_score", "question", "m", "tup", "price", "big", "at", "day", "dc", "_writetime_micros");
    Path file =
        writeTyped(
            "s.parquet",
            header,
            ASSESSMENT_TYPES,
            List.of(
                new SourceRow(
                    new String[] {"a", "2016-01-04T00:00:00.000Z", "1.5",
                        "[{\"id\":\"q\",\"assess_ts\":\"1969-12-31T23:59:59.999Z\",\"score\":2.0,\"resvalues\":[{\"k\":\"v\"}]}]",
                        "[[1,\"0xcafe\"]]", "[-128,\"7d2f1c4a-8b4e-4c1a-9d3e-0a1b2c3d4e5f\"]", "-12345678.90",
                        "-1234567890123456789012345.00001", "2038-01-19T03:14:08.000001Z", "1969-12-31", "1E+3"},
                    SourceRow.NO_TIME, 7L)));
    assertEquals(
        "message archive_row {\n"
            + "  optional binary id (STRING);\n"
            + "  optional int64 updated_on (TIMESTAMP(MILLIS,true));\n"
            + "  optional double total_score;\n"
            + "  optional group question (LIST) {\n"
            + "    repeated group list {\n"
            + "      optional group element {\n"
            + "        optional binary id (STRING);\n"
            + "        optional int64 assess_ts (TIMESTAMP(MILLIS,true));\n"
            + "        optional double score;\n"
            + "        optional group resvalues (LIST) {\n"
            + "          repeated group list {\n"
            + "            optional group element (MAP) {\n"
            + "              repeated group key_value {\n"
            + "                required binary key (STRING);\n"
            + "                optional binary value (STRING);\n"
            + "              }\n"
            + "            }\n"
            + "          }\n"
            + "        }\n"
            + "      }\n"
            + "    }\n"
            + "  }\n"
            + "  optional group m (MAP) {\n"
            + "    repeated group key_value {\n"
            + "      required int32 key;\n"
            + "      optional binary value;\n"
            + "    }\n"
            + "  }\n"
            + "  optional group tup {\n"
            + "    optional int32 _1 (INTEGER(8,true));\n"
            + "    optional fixed_len_byte_array(16) _2 (UUID);\n"
            + "  }\n"
            + "  optional int64 price (DECIMAL(10,2));\n"
            + "  optional fixed_len_byte_array(13) big (DECIMAL(30,5));\n"
            + "  optional int64 at (TIMESTAMP(MICROS,false));\n"
            + "  optional int32 day (DATE);\n"
            + "  optional binary dc (STRING);\n"
            + "  optional int64 _writetime_micros;\n"
            + "}\n",
        ParquetRows.fileSchema(file).toString());
    SourceRow back = readAll(file).get(0);
    assertEquals("-1234567890123456789012345.00001", back.values()[7]);
    assertEquals("[[1,\"0xcafe\"]]", back.values()[4]);
    String wrong = ParquetRows.problem(file, List.of("id", "updated_on", "total_score", "question", "m", "tup", "price",
        "big", "at", "day", "other", "_writetime_micros"));
    assertTrue(wrong != null && wrong.startsWith("columns differ"), wrong);
  }

  /** Columns are written plain, repeated values left to ZSTD: dictionaries cost more than they save. */
  @Test
  void noColumnIsWrittenWithADictionary() throws Exception {
    List<String> header = List.of("id", "updated_on", "question", "_writetime_micros");
    ValueType question =
        ValueType.list(
            ValueType.struct(
                List.of("id", "assess_ts"), List.of(ValueType.of(Kind.TEXT), ValueType.of(Kind.TIMESTAMP_MILLIS))));
    List<SourceRow> rows = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      String ts = TypedText.MILLIS.format(java.time.Instant.ofEpochMilli(1_700_000_000_000L + i * 1_001L));
      rows.add(new SourceRow(
          new String[] {"batch-" + (i % 3), ts, "[{\"id\":\"q" + (i % 5) + "\",\"assess_ts\":\"" + ts + "\"}]"},
          SourceRow.NO_TIME, 1_700_000_000_000_000L + i));
    }
    Path file =
        writeTyped("d.parquet", header, List.of(ValueType.of(Kind.TEXT), ValueType.of(Kind.TIMESTAMP_MILLIS), question), rows);
    java.util.Map<String, Boolean> dictionary = new java.util.TreeMap<>();
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      for (org.apache.parquet.hadoop.metadata.ColumnChunkMetaData c : r.getFooter().getBlocks().get(0).getColumns()) {
        dictionary.put(c.getPath().toDotString(), c.hasDictionaryPage());
      }
    }
    assertEquals(
        java.util.Map.of(
            "id", false,
            "updated_on", false,
            "question.list.element.id", false,
            "question.list.element.assess_ts", false,
            "_writetime_micros", false),
        dictionary);
    List<SourceRow> back = readAll(file);
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(Arrays.asList(rows.get(i).values()), Arrays.asList(back.get(i).values()), "row " + i);
    }
  }

  @Test
  void aTextThatIsNotOfItsColumnsTypeIsRefusedNamingTheColumn() throws Exception {
    List<String> header = List.of("id", "price", "_writetime_micros");
    Exception e =
        org.junit.jupiter.api.Assertions.assertThrows(
            Exception.class,
            () ->
                writeTyped("bad.parquet", header, List.of(ValueType.of(Kind.TEXT), ValueType.decimal(10, 2)),
                    List.of(new SourceRow(new String[] {"a", "1.5"}, SourceRow.NO_TIME, 1L))));
    String m = String.valueOf(e.getMessage()) + " " + e.getCause();
    assertTrue(m.contains("column price (decimal(10,2))"), m);
  }

  /**
   * A nested value not of its type is refused naming its column, and the file is abandoned
   * (parquet's writer writes no footer after a failed row): it never reads as a complete archive.
   */
  @Test
  void aNestedTextThatIsNotOfItsTypeIsRefusedAndTheFileIsAbandoned() throws Exception {
    List<String> header = List.of("id", "scores", "_writetime_micros");
    List<ValueType> types = List.of(ValueType.of(Kind.TEXT), ValueType.list(ValueType.of(Kind.DOUBLE)));
    Path file = dir.resolve("n.parquet");
    try (OutputStream out = Files.newOutputStream(file);
        ParquetRows.Writer w = ParquetRows.writer(out, header, types)) {
      w.write(new String[] {"a", "[1.0,2.5]"}, 1L);
      Exception e =
          org.junit.jupiter.api.Assertions.assertThrows(
              Exception.class, () -> w.write(new String[] {"b", "[1.0,true]"}, 2L));
      String m = String.valueOf(e.getMessage()) + " " + e.getCause();
      assertTrue(m.contains("column scores (list<double>)"), m);
    }
    org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> readAll(file));
  }

  /** Written by the version before typed Parquet (every column a string of the canonical text). */
  @Test
  void filesOfTheAllTextLayoutStillReadAsTheyWereWritten() throws Exception {
    Path file = Path.of("src/test/resources/all-text-layout.parquet");
    List<String> header = List.of("id", "question", "total_score", "updated_on", "_writetime_micros");
    assertNull(ParquetRows.problem(file, header));
    List<SourceRow> back = readAll(file);
    assertEquals(4, back.size());
    assertEquals(Arrays.asList("a1", "[{\"id\":\"q1\",\"score\":1.5}]", "3.0", "2016-01-04T00:00:00.000Z"),
        Arrays.asList(back.get(0).values()));
    assertEquals(Arrays.asList("a2", "[]", null, ""), Arrays.asList(back.get(1).values()));
    assertEquals(SourceRow.NO_WRITE_TIME, back.get(1).writeTimeMicros());
    assertEquals(Arrays.asList("a3", null, "NaN", "1969-12-31T23:59:59.999Z"), Arrays.asList(back.get(2).values()));
    assertEquals(Arrays.asList("\u00e9\u4e2d\ud83d\ude00", "x,\"y\"\nz", "-0.0", "9999-12-31T23:59:59.999Z"),
        Arrays.asList(back.get(3).values()));
    assertEquals(1_451_865_600_000_000L, back.get(0).writeTimeMicros());
  }
}
