package org.beamarchiver.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ColumnDefinitions;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.UDTValue;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives read by the tools data teams already use, without our code: DuckDB (its JDBC driver)
 * reads a typed Parquet archive of the assessment table and of a PostgreSQL table with the
 * documented column types and every value equal to the source's, typed; {@code avg(total_score)}
 * and {@code question[1].score} need no casts. DSBulk loads a gzip CSV archive into an empty copy of
 * the table, which then equals the archived rows cell for cell.
 */
class ReadersIT {
  static Cluster cluster;
  static Session session;
  @TempDir static Path dir;
  static Path keyFile;

  @BeforeAll
  static void connect() throws Exception {
    cluster = TestServers.cluster();
    session = cluster.connect();
    keyFile = dir.resolve("signing.key");
    Files.writeString(keyFile, "readers-it key, long enough\n");
  }

  @AfterAll
  static void close() {
    session.close();
    cluster.close();
  }

  static AssessmentFixture fixture(String name, String format) throws Exception {
    return AssessmentFixture.builder(session, dir).name(name).keyspacePrefix("readers_it")
        .rows(1500).batches(5).weeks(3).deadLetters(0).seed(23L)
        .specExtra(format == null ? "" : "format: " + format + "\n").signingKeyFile(keyFile).build();
  }

  static Connection duckdb() throws Exception {
    Connection c = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
    }
    return c;
  }

  static String parquetGlob(Path folder) {
    return "read_parquet('" + folder.toString().replace("'", "''") + "/**/*.parquet')";
  }

  /** Column name to DuckDB type, in order, of a query. */
  static Map<String, String> describe(Connection duck, String from) throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    try (Statement s = duck.createStatement(); ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + from)) {
      while (rs.next()) {
        out.put(rs.getString("column_name"), rs.getString("column_type"));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- Cassandra, Parquet, DuckDB

  @Test
  void duckDbReadsATypedAssessmentArchiveAsTheTable() throws Exception {
    AssessmentFixture f = fixture("duck", "PARQUET");
    Map<String, Row> source = new TreeMap<>();
    for (Row r : session.execute("SELECT * FROM " + f.table())) {
      source.put(key(r.getString("user_id"), r.getString("course_id"), r.getString("batch_id"),
          r.getString("content_id"), r.getString("attempt_id")), r);
    }
    Cli archive = RestoreReportIT.cli(f, "archive");
    assertEquals(0, archive.code(), archive.out());
    String from = parquetGlob(f.root().resolve("archived-batches"));

    try (Connection duck = duckdb()) {
      Map<String, String> types = describe(duck, from);
      System.out.println("DuckDB types of the assessment archive: " + types);
      String question = "STRUCT(id VARCHAR, assess_ts TIMESTAMP WITH TIME ZONE, max_score DOUBLE, score DOUBLE,"
          + " \"type\" VARCHAR, title VARCHAR, resvalues MAP(VARCHAR, VARCHAR)[], params MAP(VARCHAR, VARCHAR)[],"
          + " description VARCHAR, duration VARCHAR)[]";
      Map<String, String> expected = new LinkedHashMap<>();
      for (String c : List.of("user_id", "course_id", "batch_id", "content_id", "attempt_id")) {
        expected.put(c, "VARCHAR");
      }
      expected.put("created_on", "TIMESTAMP WITH TIME ZONE");
      expected.put("grand_total", "VARCHAR");
      expected.put("last_attempted_on", "TIMESTAMP WITH TIME ZONE");
      expected.put("question", question);
      expected.put("total_max_score", "DOUBLE");
      expected.put("total_score", "DOUBLE");
      expected.put("updated_on", "TIMESTAMP WITH TIME ZONE");
      expected.put("_writetime_micros", "BIGINT");
      assertEquals(expected.keySet(), types.keySet());
      for (String c : expected.keySet()) {
        assertEquals(expected.get(c).replace("\"", ""), types.get(c).replace("\"", ""), c);
      }

      // every archived row, typed, equals the source's row
      int rows = 0;
      double sum = 0;
      int scored = 0;
      try (Statement s = duck.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + from)) {
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
          String k = key(rs.getString("user_id"), rs.getString("course_id"), rs.getString("batch_id"),
              rs.getString("content_id"), rs.getString("attempt_id"));
          Row src = source.get(k);
          assertTrue(src != null, "an archived row not in the source: " + k);
          ColumnDefinitions defs = src.getColumnDefinitions();
          for (int i = 0; i < defs.size(); i++) {
            String name = defs.getName(i);
            Object fromDuck = duckValue(rs.getObject(name));
            Object fromSource = cqlValue(src.getObject(i));
            assertEquals(fromSource, fromDuck, k + " column " + name);
          }
          if (!src.isNull("total_score")) {
            sum += src.getDouble("total_score");
            scored++;
          }
          rows++;
        }
        assertEquals(expected.size(), md.getColumnCount());
      }
      assertTrue(rows > 500, "rows archived: " + rows);
      assertTrue(archive.out().contains(rows + " archived"), archive.out());

      // typed queries, no casts
      try (Statement s = duck.createStatement();
          ResultSet rs = s.executeQuery("SELECT avg(total_score), count(*) FROM " + from)) {
        rs.next();
        assertEquals(sum / scored, rs.getDouble(1), 1e-9 * Math.abs(sum / scored));
        assertEquals(rows, rs.getLong(2));
      }
      int checked = 0;
      try (PreparedStatement ps = duck.prepareStatement(
          "SELECT user_id, course_id, batch_id, content_id, attempt_id, question[1].score, question[1].assess_ts"
              + " FROM " + from + " WHERE len(question) > 0 ORDER BY updated_on LIMIT 50");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Row src = source.get(key(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
          UDTValue q = src.getList("question", UDTValue.class).get(0);
          assertEquals(q.getObject("score"), rs.getObject(6));
          assertEquals(q.getTimestamp("assess_ts").toInstant(), rs.getObject(7, OffsetDateTime.class).toInstant());
          checked++;
        }
      }
      assertTrue(checked > 10, "question[1] rows checked: " + checked);
    }
  }

  static String key(String... parts) {
    return String.join("|", parts);
  }

  /** A driver value in a form comparable with DuckDB's: instants, lists (user types: their fields), sorted maps. */
  static Object cqlValue(Object v) {
    if (v instanceof Date d) {
      return d.toInstant();
    }
    if (v instanceof UDTValue u) {
      List<Object> fields = new ArrayList<>();
      for (int i = 0; i < u.getType().size(); i++) {
        fields.add(cqlValue(u.getObject(i)));
      }
      return fields;
    }
    if (v instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>();
      c.forEach(e -> out.add(cqlValue(e)));
      return out;
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new TreeMap<>();
      m.forEach((k, x) -> out.put(cqlValue(k), cqlValue(x)));
      return out;
    }
    if (v instanceof BigDecimal b) {
      return b.toString(); // CQL decimals are unbounded: kept as their exact text
    }
    return v;
  }

  /** A DuckDB JDBC value in the same form. */
  static Object duckValue(Object v) throws Exception {
    if (v instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toInstant();
    }
    if (v instanceof LocalDateTime t) {
      return t.toInstant(ZoneOffset.UTC);
    }
    if (v instanceof java.sql.Array a) {
      List<Object> out = new ArrayList<>();
      for (Object e : (Object[]) a.getArray()) {
        out.add(duckValue(e));
      }
      return out;
    }
    if (v instanceof java.sql.Struct s) {
      List<Object> out = new ArrayList<>();
      for (Object e : s.getAttributes()) {
        out.add(duckValue(e));
      }
      return out;
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new TreeMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(duckValue(e.getKey()), duckValue(e.getValue()));
      }
      return out;
    }
    return v;
  }

  // ---------------------------------------------------------------- PostgreSQL, Parquet, DuckDB

  static final String SQL_COLUMNS =
      "batch_id, id, i2, i4, i8, r, d, price, exact, ok, day, at, updated_at, u, raw, note, doc";

  @Test
  void duckDbReadsATypedArchiveOfAJdbcTableAsTheTable() throws Exception {
    String url = TestServers.newPostgresDatabase();
    Instant asOf = Instant.parse("2021-01-13T12:00:00Z");
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA lms");
      s.execute(
          "CREATE TABLE lms.typed (batch_id text, id bigint, i2 smallint, i4 integer, i8 bigint, r real,"
              + " d double precision, price numeric(10,2), exact numeric, ok boolean, day date, at timestamp,"
              + " updated_at timestamptz, u uuid, raw bytea, note text, doc jsonb, PRIMARY KEY (batch_id, id))");
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO lms.typed (" + SQL_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?::jsonb)")) {
        for (int i = 0; i < 300; i++) {
          boolean edge = i % 10 == 0;
          ps.setString(1, "b" + (i % 3));
          ps.setLong(2, i);
          ps.setObject(3, i % 7 == 0 ? null : (short) (edge ? Short.MIN_VALUE : i));
          ps.setObject(4, edge ? Integer.MAX_VALUE : -i);
          ps.setObject(5, edge ? Long.MIN_VALUE : (long) i * 1_000_000_007L);
          ps.setObject(6, i % 11 == 0 ? Float.NaN : edge ? Float.NEGATIVE_INFINITY : 1.1f * i);
          ps.setObject(7, i % 13 == 0 ? null : edge ? Double.MAX_VALUE : 1e-7 * i);
          ps.setBigDecimal(8, edge ? new BigDecimal("-99999999.99") : BigDecimal.valueOf(i * 37L, 2));
          ps.setBigDecimal(9, edge ? new BigDecimal("123456789012345678901234567890123456789012.000000000001")
              : new BigDecimal(i).movePointLeft(i % 5));
          ps.setObject(10, i % 3 == 0 ? null : i % 2 == 0);
          ps.setObject(11, edge ? LocalDate.of(1, 1, 1) : LocalDate.of(1969 + i % 80, 1 + i % 12, 1 + i % 28));
          ps.setObject(12, LocalDateTime.of(1960 + i % 90, 2, 28, 23, 59, 59, (i * 1000) % 1_000_000_000));
          ps.setObject(13, asOf.minusSeconds(86400L * (i % 20) + i).minusNanos(i * 1000L).atOffset(ZoneOffset.UTC));
          ps.setObject(14, i % 4 == 0 ? null : new UUID(i, -i));
          ps.setBytes(15, i % 5 == 0 ? new byte[0] : new byte[] {0, (byte) i, -1});
          ps.setString(16, i % 6 == 0 ? "" : "n\"" + i + ",\n");
          ps.setString(17, i % 8 == 0 ? null : "{\"q\": [" + i + ", \"ü\"], \"ok\": true}");
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    Path spec = dir.resolve("typed.yaml");
    Files.writeString(spec, String.join("\n",
        "archiveType: typed", "source:", "  kind: jdbc", "  schema: lms", "  table: typed",
        "primaryKey: [batch_id, id]", "batchColumn: batch_id", "timeColumn: updated_at", "collectionColumn: batch_id",
        "format: PARQUET", ""));
    Path root = dir.resolve("typed-archive");
    Cli archive = Cli.run(List.of("archive", "--tableSpec=" + spec, "--sourceJdbcUrl=" + url,
        "--archiveRoot=" + root, "--ledgerUrl=" + TestServers.newH2Ledger(), "--signingKeyFile=" + keyFile,
        "--asOf=" + asOf, "--period=ALL"));
    assertEquals(0, archive.code(), archive.out());
    String from = parquetGlob(root);

    try (Connection duck = duckdb(); Connection pg = DriverManager.getConnection(url)) {
      Map<String, String> types = describe(duck, from);
      System.out.println("DuckDB types of the JDBC archive: " + types);
      Map<String, String> expected = new LinkedHashMap<>();
      String[] duckTypes = {"VARCHAR", "BIGINT", "SMALLINT", "INTEGER", "BIGINT", "DOUBLE", "DOUBLE", "DECIMAL(10,2)",
          "VARCHAR", "BOOLEAN", "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "UUID", "BLOB", "VARCHAR", "VARCHAR"};
      String[] names = SQL_COLUMNS.split(", ");
      for (int i = 0; i < names.length; i++) {
        expected.put(names[i], duckTypes[i]);
      }
      expected.put("_writetime_micros", "BIGINT");
      assertEquals(expected, types);

      int rows = 0;
      try (Statement s = duck.createStatement(); ResultSet d = s.executeQuery("SELECT * FROM " + from);
          PreparedStatement ps = pg.prepareStatement("SELECT " + SQL_COLUMNS + " FROM lms.typed WHERE batch_id = ? AND id = ?")) {
        while (d.next()) {
          ps.setString(1, d.getString("batch_id"));
          ps.setLong(2, d.getLong("id"));
          try (ResultSet p = ps.executeQuery()) {
            assertTrue(p.next(), "archived row in the source");
            String row = d.getString("batch_id") + "/" + d.getLong("id");
            for (String n : List.of("batch_id", "note", "doc")) {
              assertEquals(p.getString(n), d.getString(n), row + " " + n);
            }
            assertEquals(p.getObject("id"), d.getObject("id"), row);
            assertEquals(p.getObject("i2") == null ? null : ((Number) p.getObject("i2")).shortValue(), d.getObject("i2"), row);
            assertEquals(p.getObject("i4"), d.getObject("i4"), row);
            assertEquals(p.getObject("i8"), d.getObject("i8"), row);
            // real: the database's shortest text of the float, read as a double (as the CSV holds it)
            assertEquals(p.getObject("r") == null ? null : Double.valueOf(p.getString("r")), d.getObject("r"), row + " r");
            assertEquals(p.getObject("d"), d.getObject("d"), row + " d");
            assertEquals(p.getBigDecimal("price"), d.getBigDecimal("price"), row + " price");
            assertEquals(p.getBigDecimal("exact").toPlainString(), d.getString("exact"), row + " exact");
            assertEquals(p.getObject("ok"), d.getObject("ok"), row + " ok");
            assertEquals(p.getObject("day", LocalDate.class), d.getObject("day", LocalDate.class), row + " day");
            assertEquals(p.getObject("at", LocalDateTime.class), d.getObject("at", LocalDateTime.class), row + " at");
            assertEquals(p.getObject("updated_at", OffsetDateTime.class).toInstant(),
                d.getObject("updated_at", OffsetDateTime.class).toInstant(), row + " updated_at");
            assertEquals(p.getObject("u"), d.getObject("u"), row + " u");
            assertTrue(Arrays.equals(p.getBytes("raw"), d.getBytes("raw")), row + " raw");
          }
          rows++;
        }
      }
      assertTrue(rows > 150, "rows archived: " + rows);
      assertTrue(archive.out().contains(rows + " archived"), archive.out());
      try (Statement s = duck.createStatement();
          ResultSet rs = s.executeQuery("SELECT sum(price), max(\"at\") FROM " + from + " WHERE i4 < 0")) {
        rs.next();
        assertTrue(rs.getBigDecimal(1).scale() == 2, "sum of a DECIMAL(10,2) is exact: " + rs.getBigDecimal(1));
      }
    }
  }

  // ---------------------------------------------------------------- DSBulk loads our CSV

  @Test
  void dsbulkLoadsACsvArchiveIntoAnEmptyCopyOfTheTable() throws Exception {
    AssessmentFixture f = fixture("dsbulk", null);
    Cli archive = RestoreReportIT.cli(f, "archive");
    assertEquals(0, archive.code(), archive.out());
    Set<String> archived = ParquetArchiveIT.archivedKeys(f);
    String table = f.table().substring(f.keyspace().length() + 1);
    Map<String, List<String>> source = AssessmentFixture.cells(session, f.keyspace(), table);

    String copy = f.keyspace() + "_copy";
    String cql = new String(ReadersIT.class.getResourceAsStream("/sample/assessment.cql").readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8).replace("sunbird_courses", copy);
    for (String statement : cql.split(";")) {
      if (!statement.isBlank()) {
        session.execute(statement);
      }
    }
    Path archives = f.root().resolve("archived-batches");
    List<String> cmd = new ArrayList<>(List.of(
        "java", "-cp", TestServers.dsbulkLib() + "/*", "com.datastax.oss.dsbulk.runner.DataStaxBulkLoader", "load",
        "-h", "127.0.0.1", "-port", Integer.toString(TestServers.cassandraPort()), "-k", copy, "-t", table,
        "-url", archives.toString(), "--connector.csv.recursive", "true",
        "--connector.csv.fileNamePattern", "**/*.csv.gz", "--connector.csv.compression", "gzip",
        "--connector.csv.escape", "\"\\\"\"",
        "--schema.allowExtraFields", "true",
        "-logDir", dir.resolve("dsbulk-logs").toString(), "--log.ansiMode", "disabled"));
    Path log = dir.resolve("dsbulk.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "dsbulk finished");
    if (p.exitValue() != 0) {
      StringBuilder errors = new StringBuilder(Files.readString(log));
      try (var logs = Files.walk(dir.resolve("dsbulk-logs"))) {
        for (Path e : logs.filter(x -> x.getFileName().toString().equals("connector-errors.log")).toList()) {
          String text = Files.readString(e);
          errors.append('\n').append(text, 0, Math.min(text.length(), 3000));
        }
      }
      assertEquals(0, p.exitValue(), errors.toString());
    }

    Map<String, List<String>> loaded = AssessmentFixture.cells(session, copy, table);
    assertEquals(archived, loaded.keySet());
    for (String k : archived) {
      assertEquals(source.get(k), loaded.get(k), k);
    }
    assertTrue(archived.size() > 500, "rows loaded: " + archived.size());
  }

}
