package org.beamarchiver.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableSpecLoaderTest {
  @TempDir Path dir;

  private static final String GOOD =
      "archiveType: assessment\n"
          + "source: {kind: cassandra, keyspace: ks, table: t}\n"
          + "primaryKey: [a, b]\n"
          + "batchColumn: b\n"
          + "timeColumn: ts\n"
          + "collectionColumn: a\n";

  private Path write(String yaml) throws IOException {
    Path p = dir.resolve("spec.yaml");
    Files.writeString(p, yaml);
    return p;
  }

  private String error(String yaml) throws IOException {
    Path p = write(yaml);
    TableSpecException e = assertThrows(TableSpecException.class, () -> TableSpecLoader.load(p));
    assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void shippedAssessmentSpecLoads() {
    TableSpec s = TableSpecLoader.load(Paths.get("pipelines/assessment.yaml"));
    assertEquals("assessment", s.archiveType());
    assertEquals("sunbird_courses", s.keyspace());
    assertEquals("assessment_aggregator", s.table());
    assertEquals(List.of("user_id", "course_id", "batch_id", "content_id", "attempt_id"), s.primaryKey());
    assertEquals("batch_id", s.batchColumn());
    assertEquals("updated_on", s.timeColumn());
    assertEquals("course_id", s.collectionColumn());
    assertEquals(List.of("user_id", "content_id"), s.rollup().distinct());
    assertEquals(List.of("total_score", "total_max_score"), s.rollup().numeric());
  }

  @Test
  void rollupColumnsArePlainIdentifiersAmongTheColumns() throws IOException {
    assertEquals(
        List.of("a"),
        TableSpecLoader.load(write(GOOD + "rollup: {distinct: [a], numeric: []}\n")).rollup().distinct());
    String m = error(GOOD + "rollup: {numeric: [\"x) FROM t; DROP TABLE t; --\"]}\n");
    assertTrue(m.contains("'rollup.numeric[0]' must be a plain identifier"), m);
    m = error(GOOD + "columns: [a, b, ts]\nrollup: {distinct: [zz]}\n");
    assertTrue(m.contains("'rollup.distinct[0]' names 'zz', which is not in 'columns'"), m);
    m = error(GOOD + "rollup: {median: [a]}\n");
    assertTrue(m.contains("unknown field 'rollup.median'"), m);
  }

  @Test
  void formatDefaultsToCsvAndNamesTheAllowedValues() throws IOException {
    assertEquals(org.beamarchiver.model.ArchiveFormat.CSV_GZ, TableSpecLoader.load(write(GOOD)).format());
    assertEquals(
        org.beamarchiver.model.ArchiveFormat.PARQUET, TableSpecLoader.load(write(GOOD + "format: PARQUET\n")).format());
    assertEquals(
        org.beamarchiver.model.ArchiveFormat.PARQUET, TableSpecLoader.load(write(GOOD + "format: parquet\n")).format());
    String m = error(GOOD + "format: ORC\n");
    assertTrue(m.contains("field 'format' must be one of CSV_GZ, PARQUET, SQLITE (got 'ORC')"), m);
  }

  @Test
  void goodSpecLoads() throws IOException {
    assertEquals("t", TableSpecLoader.load(write(GOOD)).table());
  }

  @Test
  void unknownFieldIsNamedWithTheAllowedOnes() throws IOException {
    String m = error(GOOD + "colour: red\n");
    assertTrue(m.contains("unknown field 'colour'") && m.contains("batchColumn"), m);
  }

  @Test
  void wrongSourceKindNamesAllowedValues() throws IOException {
    String m = error(GOOD.replace("kind: cassandra", "kind: mongo"));
    assertTrue(m.contains("source.kind") && m.contains("[cassandra, jdbc, files]") && m.contains("'mongo'"), m);
  }

  @Test
  void aJdbcSourceNamesItsSchema() throws IOException {
    TableSpec s = TableSpecLoader.load(write(GOOD.replace("kind: cassandra, keyspace: ks", "kind: jdbc, schema: lms")));
    assertEquals(TableSpec.SourceKind.jdbc, s.sourceKind());
    assertEquals("lms", s.keyspace());
    String m = error(GOOD.replace("kind: cassandra", "kind: jdbc"));
    assertTrue(m.contains("'source.schema' is required") && m.contains("'source.keyspace' is for kind cassandra"), m);
    m = error(GOOD.replace("keyspace: ks", "keyspace: ks, schema: lms"));
    assertTrue(m.contains("'source.schema' is for kind jdbc"), m);
  }

  @Test
  void injectionInASchemaOrTableNameIsRejected() throws IOException {
    String m = error(GOOD.replace("kind: cassandra, keyspace: ks", "kind: jdbc, schema: \"lms.x; DELETE FROM y; --\""));
    assertTrue(m.contains("source.schema") && m.contains("plain identifier"), m);
    m = error(GOOD.replace("table: t}", "table: \"t WHERE 1=1\"}"));
    assertTrue(m.contains("source.table") && m.contains("plain identifier"), m);
  }

  @Test
  void injectionInAColumnNameIsRejected() throws IOException {
    String m = error(GOOD.replace("timeColumn: ts", "timeColumn: \"ts) FROM x; DROP TABLE t; --\""));
    assertTrue(m.contains("timeColumn") && m.contains("plain identifier"), m);
  }

  @Test
  void missingFieldIsNamed() throws IOException {
    String m = error(GOOD.replace("batchColumn: b\n", ""));
    assertTrue(m.contains("'batchColumn' is required"), m);
  }

  @Test
  void columnsMustIncludeKeyColumns() throws IOException {
    String m = error(GOOD + "columns: [a, ts]\n");
    assertTrue(m.contains("must include 'b'"), m);
  }

  @Test
  void missingFileIsNamed() {
    TableSpecException e =
        assertThrows(TableSpecException.class, () -> TableSpecLoader.load(dir.resolve("nope.yaml")));
    assertTrue(e.getMessage().contains("nope.yaml") && e.getMessage().contains("--tableSpec"));
  }

  private static final String FILES =
      "archiveType: events\n" + "source: {kind: files, location: s3://lake/events, partitionDate: 'dt={date}'}\n";

  @Test
  void aFilesSourceNamesItsLocationAndHowFilesAreDated() throws IOException {
    TableSpec s = TableSpecLoader.load(write(FILES));
    assertEquals(TableSpec.SourceKind.files, s.sourceKind());
    assertEquals(new FileSourceSpec("s3://lake/events", "dt={date}"), s.files());
    assertEquals("s3://lake/events", s.qualifiedTable());
    assertEquals(List.of(), s.primaryKey());
    TableSpec m = TableSpecLoader.load(write("archiveType: logs\nsource: {kind: files, location: /data/logs, partitionDate: modified}\n"));
    assertTrue(m.files().byModificationTime());
    assertEquals(null, TableSpecLoader.load(write(GOOD)).files());
  }

  @Test
  void shippedFilesSpecLoads() {
    TableSpec s = TableSpecLoader.load(Paths.get("pipelines/lake-events.yaml"));
    assertEquals(new FileSourceSpec("s3://data-lake/events", "dt={date}"), s.files());
    assertEquals("lake-events", s.archiveType());
  }

  @Test
  void aFilesSourceRefusesRowFieldsAndUnusableDatesNamingTheField() throws IOException {
    String m = error(FILES + "primaryKey: [a]\nbatchColumn: b\n");
    assertTrue(m.contains("field 'primaryKey' is for row sources (cassandra, jdbc)"), m);
    assertTrue(m.contains("field 'batchColumn' is for row sources"), m);
    m = error("archiveType: events\nsource: {kind: files, keyspace: ks, partitionDate: modified}\n");
    assertTrue(m.contains("field 'source.keyspace' is for kinds cassandra and jdbc"), m);
    assertTrue(m.contains("field 'source.location' is required"), m);
    m = error("archiveType: events\nsource: {kind: files, location: /x}\n");
    assertTrue(m.contains("field 'source.partitionDate' is required: it is either 'modified'"), m);
    for (String bad : new String[] {"dt=", "dt={date}/{date}", "year=2026/dt={date}", "{date}{x}", "created"}) {
      m = error("archiveType: events\nsource: {kind: files, location: /x, partitionDate: '" + bad + "'}\n");
      assertTrue(m.contains("field 'source.partitionDate' must be 'modified'"), bad + ": " + m);
    }
    m = error(GOOD.replace("table: t}", "table: t, location: /x}"));
    assertTrue(m.contains("field 'source.location' is for kind files"), m);
  }

  private static final String LIFECYCLES =
      "archiveType: ev\n"
          + "lifecycles:\n"
          + "  - name: raw\n"
          + "    order: 1\n"
          + "    storages:\n"
          + "      - {name: old, until: 2026-06-01, source: {kind: files, location: /lake/raw-old, partitionDate: 'dt={date}'}}\n"
          + "      - {name: new, from: 2026-06-01, source: {kind: files, location: /lake/raw, partitionDate: modified}}\n"
          + "  - name: cleaned\n"
          + "    order: 2\n"
          + "    storages:\n"
          + "      - {name: main, source: {kind: files, location: CLEANED, partitionDate: 'dt={date}'}}\n";

  @Test
  void aSpecWithLifecyclesHasAUnitPerStorageInOrder() throws IOException {
    Path p = write(LIFECYCLES.replace("CLEANED", "/lake/cleaned"));
    List<SpecUnit> units = TableSpecLoader.loadUnits(p);
    assertEquals(List.of("raw/old", "raw/new", "cleaned/main"), units.stream().map(u -> u.lifecycle() + "/" + u.storage()).toList());
    assertEquals(List.of(1, 1, 2), units.stream().map(SpecUnit::order).toList());
    assertEquals("ev-raw-old", units.get(0).spec().archiveType());
    assertEquals("ev", units.get(0).tableType());
    assertEquals(java.time.LocalDate.parse("2026-06-01"), units.get(0).until());
    assertEquals(java.time.LocalDate.parse("2026-06-01"), units.get(1).from());
    assertEquals("/lake/raw", TableSpecLoader.load(Path.of(p + "#raw/new")).files().location());
    String m = assertThrows(TableSpecException.class, () -> TableSpecLoader.load(p)).getMessage();
    assertTrue(m.contains("has lifecycles") && m.contains("raw/old"), m);
    m = assertThrows(TableSpecException.class, () -> TableSpecLoader.load(Path.of(p + "#raw/nope"))).getMessage();
    assertTrue(m.contains("no lifecycle/storage 'raw/nope'"), m);
  }

  @Test
  void twoLifecyclesAtOnePlaceOrOverlappingStoragesAreRefused() throws IOException {
    String m = error(LIFECYCLES.replace("CLEANED", "/lake/raw/"));
    assertTrue(m.contains("lifecycles 'raw' (storage new) and 'cleaned' (storage main) point at the same place /lake/raw"), m);
    m = error(LIFECYCLES.replace("CLEANED", "/lake/raw/cleaned"));
    assertTrue(m.contains("point at the same place"), m);
    m = error(LIFECYCLES.replace("CLEANED", "/lake/cleaned").replace("from: 2026-06-01", "from: 2026-05-01"));
    assertTrue(m.contains("storages 'old' (always until 2026-06-01) and 'new' (from 2026-05-01 onwards) both hold some days"), m);
    m = error(LIFECYCLES.replace("CLEANED", "/lake/cleaned").replace("order: 2", "order: -1"));
    assertTrue(m.contains("'lifecycles[1].order' is required"), m);
    m = error("archiveType: ev\nsource: {kind: files, location: /x, partitionDate: modified}\n"
        + LIFECYCLES.substring(LIFECYCLES.indexOf("lifecycles:")).replace("CLEANED", "/c"));
    assertTrue(m.contains("field 'source' belongs to each storage"), m);
    m = error(LIFECYCLES.replace("CLEANED", "/lake/cleaned").replace("name: main", "name: Main"));
    assertTrue(m.contains("lifecycles[1].storages[0].name' must be lower-case"), m);
    m = error(LIFECYCLES.replace("CLEANED", "/lake/cleaned").replace("archiveType: ev\n", ""));
    assertTrue(m.contains("field 'archiveType' must be"), m);
  }

  @Test
  void shippedLifecyclesSpecLoadsWithFilesThenRows() {
    List<SpecUnit> units = TableSpecLoader.loadUnits(Paths.get("pipelines/lake-events-lifecycles.yaml"));
    assertEquals(List.of("raw/nfs", "raw/s3", "enriched/pg"), units.stream().map(u -> u.lifecycle() + "/" + u.storage()).toList());
    assertEquals(TableSpec.SourceKind.files, units.get(1).spec().sourceKind());
    assertEquals(TableSpec.SourceKind.jdbc, units.get(2).spec().sourceKind());
    assertEquals("lake-events-enriched-pg", units.get(2).spec().archiveType());
    assertEquals("lake.events_enriched", units.get(2).spec().qualifiedTable());
  }

  private static final String CASCADE =
      GOOD.replace("kind: cassandra, keyspace: ks", "kind: jdbc, schema: lms")
          + "children:\n"
          + "  - table: child\n"
          + "    primaryKey: [a, b, n]\n"
          + "    parentKey: {a: a, b: b}\n"
          + "    children:\n"
          + "      - {table: grandchild, primaryKey: [a, b, n, m], parentKey: {a: a, b: b, n: n}}\n"
          + "summary:\n"
          + "  table: t_summary\n"
          + "  copy: {a: a, b: b}\n"
          + "  columns:\n"
          + "    children: {count: child}\n"
          + "    done: {count: grandchild, where: {state: done, code: 0}}\n"
          + "    total: {sum: grandchild.bytes}\n"
          + "    hist: {histogram: child.ratio, bins: [0, 0.5, 1]}\n";

  @Test
  void aCascadeLoadsWithItsChildrenInOrderAndItsSummary() throws IOException {
    TableSpec s = TableSpecLoader.load(write(CASCADE));
    assertFalse(s.children().isEmpty());
    assertTrue(s.isCascade());
    assertEquals("child", s.children().get(0).table());
    assertEquals(List.of("a", "b"), s.children().get(0).childColumns());
    TableSpec.ChildSpec g = s.children().get(0).children().get(0);
    assertEquals("grandchild", g.table());
    assertEquals(List.of("a", "b", "n"), g.parentColumns());
    assertEquals("t_summary", s.summary().table());
    assertEquals(List.of("children", "done", "total", "hist"), s.summary().aggregates().stream().map(TableSpec.Aggregate::name).toList());
    TableSpec.Aggregate done = s.summary().aggregates().get(1);
    assertEquals(TableSpec.AggregateOp.count, done.op());
    assertEquals(List.of("state", "code"), done.whereColumns());
    assertEquals(List.of("done", "0"), done.whereValues());
    assertEquals(3, s.summary().aggregates().get(3).bins().size());
  }

  @Test
  void aCascadeThatCannotHoldIsRefusedNamingTheField() throws IOException {
    String m = error(CASCADE.replace("parentKey: {a: a, b: b}\n", "parentKey: {a: a}\n"));
    assertTrue(m.contains("field 'children[0].parentKey' must map a child column to each column of the parent's primary key [a, b]"), m);
    m = error(CASCADE.replace("{table: grandchild,", "{table: child,"));
    assertTrue(m.contains("names 'child' again"), m);
    m = error(CASCADE.replace("copy: {a: a, b: b}", "copy: {a: a}"));
    assertTrue(m.contains("field 'summary.copy' must copy the parent's primary key and batch column; it leaves out [b]"), m);
    m = error(CASCADE.replace("{count: child}", "{count: nephew}"));
    assertTrue(m.contains("field 'summary.columns.children.count' names table 'nephew', which is not in the cascade"), m);
    m = error(CASCADE.replace("bins: [0, 0.5, 1]", "bins: [1, 0.5]"));
    assertTrue(m.contains("field 'summary.columns.hist.bins' must list at least two ascending bounds"), m);
    m = error(CASCADE.replace("{sum: grandchild.bytes}", "{sum: grandchild}"));
    assertTrue(m.contains("field 'summary.columns.total.sum' must name a column, as table.column"), m);
    m = error(CASCADE.replace("where: {state: done, code: 0}", "where: {\"state; DROP TABLE x\": done}"));
    assertTrue(m.contains("summary.columns.done.where"), "no SQL text from the spec: " + m);
    m = error(CASCADE.replace("kind: jdbc, schema: lms", "kind: cassandra, keyspace: ks"));
    assertTrue(m.contains("children") && m.contains("jdbc"), "a Cassandra table has no cascade: " + m);
  }
}
