package org.beamarchiver.io.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ColumnDefinitions;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import org.beamarchiver.io.format.ParquetRows;
import org.beamarchiver.io.format.TypedText;
import org.beamarchiver.model.ValueType;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Canonical text decoded from cell bytes equals the text of the driver's decoded value, on real
 * Cassandra, for every CQL type, nested containers, nulls inside user types, empty frozen
 * collections, hostile strings and a user type altered after its values were written.
 */
class CellTextIT {
  private static Cluster cluster;
  private static Session session;
  private static String ks;

  @BeforeAll
  static void start() {
    cluster = TestServers.cluster();
    session = cluster.connect();
    ks = TestServers.newKeyspace("celltext");
    session.execute(
        "CREATE KEYSPACE " + ks + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    session.execute("CREATE TYPE " + ks + ".inner_t (a int, \"Mixed Case\" text, l list<text>, m map<int, text>)");
    session.execute(
        "CREATE TYPE " + ks + ".outer_t (name text, at timestamp, d double, inner frozen<inner_t>,"
            + " inners frozen<list<inner_t>>, s set<bigint>)");
    session.execute(
        "CREATE TABLE " + ks + ".t (id int PRIMARY KEY, t text, a ascii, b boolean, bi bigint, bl blob,"
            + " da date, dc decimal, db double, du duration, f float, ip inet, i int, si smallint,"
            + " ti time, ts timestamp, tu timeuuid, tiny tinyint, u uuid, vi varint,"
            + " lt list<text>, sd set<double>, mti map<text, int>, mit map<int, text>,"
            + " mts map<timestamp, frozen<set<text>>>, fl frozen<list<int>>, fm frozen<map<text, text>>,"
            + " tup tuple<int, text, frozen<list<timestamp>>>, o frozen<outer_t>, lo list<frozen<outer_t>>,"
            + " nested map<text, frozen<map<text, frozen<list<frozen<inner_t>>>>>>)");
    String all =
        "INSERT INTO " + ks + ".t (id, t, a, b, bi, bl, da, dc, db, du, f, ip, i, si, ti, ts, tu, tiny, u, vi,"
            + " lt, sd, mti, mit, mts, fl, fm, tup, o, lo, nested) VALUES (1, 'q\"\\\\ \n\t\u0001 é 中 😀', 'x',"
            + " true, -9223372036854775808, 0xCAFE, '2024-02-29', 12345.678900, 1.0E-7, 1h2m3s4ms, 3.4028235E38,"
            + " '::1', -1, 7, '23:59:59.999999999', '2024-12-31T23:59:59.999Z', now(), -128,"
            + " 7d2f1c4a-8b4e-4c1a-9d3e-0a1b2c3d4e5f, 123456789012345678901234567890,"
            + " ['a', '', '\"'], {1.5, -0.0, 1e300}, {'k\"': 1, 'z': -2}, {2: 'two', 1: 'one'},"
            + " {'2020-01-01T00:00:00Z': {'b', 'a'}}, [], {}, (1, null, ['1970-01-01T00:00:00Z']),"
            + " {name: 'n', at: '2021-06-01T10:00:00.123Z', d: NaN, inner: {a: 1, \"Mixed Case\": 'm',"
            + " l: ['x'], m: {3: 'c'}}, inners: [{a: null}, {a: 2, l: []}], s: {1, 2}},"
            + " [{name: null}, {name: 'e', d: -Infinity}], {'k': {'j': [{a: 5, m: {}}]}})";
    session.execute(all);
    session.execute("INSERT INTO " + ks + ".t (id) VALUES (2)");
    session.execute(
        "INSERT INTO " + ks + ".t (id, fl, fm, o, tup) VALUES (3, [], {}, {name: ''}, (null, null, null))");
    session.execute("INSERT INTO " + ks + ".t (id, lo) VALUES (4, [{inner: {a: 9}}])");
    // Values written before the type grew a field have fewer serialized fields than the type.
    session.execute("ALTER TYPE " + ks + ".inner_t ADD added frozen<list<int>>");
    session.execute("ALTER TYPE " + ks + ".outer_t ADD later text");
    session.execute("INSERT INTO " + ks + ".t (id, o) VALUES (5, {name: 'new', later: 'yes', inner: {added: [1]}})");
    // The other ends: extremes of every width, times before 1970 and after 2038, empty text.
    session.execute(
        "INSERT INTO " + ks + ".t (id, t, a, bi, bl, da, dc, db, f, i, si, ti, ts, tiny, vi, lt, sd, mit, tup, o)"
            + " VALUES (6, '', '', 9223372036854775807, 0x, '-5877641-06-23', -0.000000000000000000001, -Infinity,"
            + " NaN, 2147483647, -32768, '00:00:00', '1900-01-01T00:00:00.001Z', 127, -1, [''], {-1e-300},"
            + " {-2147483648: ''}, (-2147483648, '', []), {name: '', at: '2100-02-28T23:59:59.999Z', d: Infinity,"
            + " inners: [], s: {-9223372036854775808}})");
  }

  @AfterAll
  static void stop() {
    session.execute("DROP KEYSPACE IF EXISTS " + ks);
    cluster.close();
  }

  @Test
  void cellTextEqualsTheDriversValueText() {
    int cells = 0;
    int nonNull = 0;
    for (Row row : session.execute("SELECT * FROM " + ks + ".t")) {
      ColumnDefinitions defs = row.getColumnDefinitions();
      for (int i = 0; i < defs.size(); i++) {
        CellText decoder =
            CellText.of(defs.getType(i), cluster.getConfiguration().getCodecRegistry(),
                cluster.getConfiguration().getProtocolOptions().getProtocolVersion());
        String text = decoder.text(row.getBytesUnsafe(i));
        String column = "row " + row.getInt("id") + " column " + defs.getName(i);
        if (row.isNull(i)) {
          assertNull(text, column);
        } else {
          assertEquals(CqlText.of(row.getObject(i)), text, column);
          nonNull++;
        }
        cells++;
      }
    }
    assertEquals(6 * 31, cells);
    assertTrue(nonNull > 40, "non-null cells compared: " + nonNull);
  }

  /**
   * Typed Parquet keeps the canonical text: every real cell's text, parsed into its typed value and
   * rendered back, is the same text; and so is a whole row written to a typed Parquet file and read.
   */
  @Test
  void typedValuesGiveBackEveryCellsText(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.util.List<String[]> texts = new java.util.ArrayList<>();
    java.util.List<ValueType> types = null;
    java.util.List<String> header = new java.util.ArrayList<>();
    int compared = 0;
    for (Row row : session.execute("SELECT * FROM " + ks + ".t")) {
      ColumnDefinitions defs = row.getColumnDefinitions();
      if (types == null) {
        types = new java.util.ArrayList<>();
        for (int i = 0; i < defs.size(); i++) {
          types.add(CqlValueTypes.of(defs.getType(i)));
          header.add(defs.getName(i));
        }
        header.add("_writetime_micros");
      }
      String[] values = new String[defs.size()];
      for (int i = 0; i < defs.size(); i++) {
        values[i] =
            CellText.of(defs.getType(i), cluster.getConfiguration().getCodecRegistry(),
                    cluster.getConfiguration().getProtocolOptions().getProtocolVersion())
                .text(row.getBytesUnsafe(i));
        if (values[i] != null) {
          assertEquals(values[i], TypedText.render(types.get(i), TypedText.parse(types.get(i), values[i])),
              "row " + row.getInt("id") + " column " + defs.getName(i) + " as " + types.get(i));
          compared++;
        }
      }
      texts.add(values);
    }
    assertTrue(compared > 60, "cells compared: " + compared);
    java.nio.file.Path file = dir.resolve("cells.parquet");
    try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(file);
        ParquetRows.Writer w = ParquetRows.writer(out, header, types)) {
      for (String[] v : texts) {
        w.write(v, 1L);
      }
    }
    int i = 0;
    try (ParquetRows.Reader r = ParquetRows.reader(file)) {
      while (r.hasNext()) {
        assertEquals(java.util.Arrays.asList(texts.get(i)), java.util.Arrays.asList(r.next().values()), "row " + i);
        i++;
      }
    }
    assertEquals(texts.size(), i);
  }

  @Test
  void userTypeFieldsAreDeclaredOrderAndAlteredTypesReadNull() {
    Row row = session.execute("SELECT o, lo FROM " + ks + ".t WHERE id = 4").one();
    CellText o =
        CellText.of(row.getColumnDefinitions().getType(1), cluster.getConfiguration().getCodecRegistry(),
            cluster.getConfiguration().getProtocolOptions().getProtocolVersion());
    String text = o.text(row.getBytesUnsafe(1));
    assertTrue(text.startsWith("[{\"name\":null,\"at\":null,\"d\":null,\"inner\":{\"a\":9,\"Mixed Case\":null,\"l\":[],"), text);
    assertTrue(text.endsWith("\"later\":null}]"), text);
  }
}
