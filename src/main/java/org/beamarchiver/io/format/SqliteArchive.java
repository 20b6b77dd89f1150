package org.beamarchiver.io.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.ValueType;

/**
 * The SQLITE archive format: one SQLite database file per partition, holding the parent table's
 * rows and every related table's (a cascade), so that {@code sqlite3 file 'select ...'} answers
 * questions about archived rows without restoring anything. Each table has the archive's columns:
 * integer columns (and {@code _writetime_micros}) as INTEGER, every other value as its canonical
 * text; {@code _archive_tables} lists the tables, the parent first. Canonical like every format:
 * a fixed page size, no journal, rows inserted in archive order, then {@code VACUUM}, so the same
 * rows written by the same library give the same bytes (the file header holds no time). The
 * database is built in a local file; the caller copies it to the store.
 */
public final class SqliteArchive implements Closeable {
  /** Bytes per page, fixed: a default that moved between SQLite versions would move the bytes. */
  public static final int PAGE_SIZE = 4096;
  /** The table listing the file's tables in order (the parent's first). */
  public static final String TABLES = "_archive_tables";

  private static final int BATCH = 1_000;

  private final Connection c;
  private final List<Table> tables = new ArrayList<>();

  private SqliteArchive(Connection c) {
    this.c = c;
  }

  /** A new, empty archive at {@code file} (which must not exist). */
  public static SqliteArchive create(Path file) throws IOException {
    try {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA page_size = " + PAGE_SIZE);
        s.execute("PRAGMA journal_mode = OFF");
        s.execute("PRAGMA synchronous = OFF");
        s.execute("PRAGMA encoding = 'UTF-8'");
        s.execute("CREATE TABLE " + quote(TABLES) + " (position INTEGER PRIMARY KEY, name TEXT NOT NULL, rows INTEGER NOT NULL)");
      }
      c.setAutoCommit(false);
      return new SqliteArchive(c);
    } catch (SQLException e) {
      throw new IOException("cannot create SQLite archive " + file + ": " + e.getMessage(), e);
    }
  }

  /** Adds table {@code name} with the archive's {@code header} (its last column the write time). */
  public Table table(String name, List<String> header, List<ValueType> types) throws IOException {
    try {
      boolean[] integer = new boolean[header.size()];
      List<String> cols = new ArrayList<>();
      for (int i = 0; i < header.size(); i++) {
        integer[i] = i == header.size() - 1 || isInteger(types.get(i));
        cols.add(quote(header.get(i)) + (integer[i] ? " INTEGER" : " TEXT"));
      }
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE " + quote(name) + " (" + String.join(", ", cols) + ")");
      }
      String marks = header.stream().map(h -> "?").collect(Collectors.joining(", "));
      Table t = new Table(name, c.prepareStatement("INSERT INTO " + quote(name) + " VALUES (" + marks + ")"), integer);
      tables.add(t);
      return t;
    } catch (SQLException e) {
      throw new IOException("cannot add table " + name + " to a SQLite archive: " + e.getMessage(), e);
    }
  }

  private static boolean isInteger(ValueType t) {
    return t != null
        && (t.kind() == ValueType.Kind.INT8 || t.kind() == ValueType.Kind.INT16 || t.kind() == ValueType.Kind.INT32
            || t.kind() == ValueType.Kind.INT64);
  }

  /** One table of the archive, filled in archive order. */
  public static final class Table {
    private final String name;
    private final PreparedStatement insert;
    private final boolean[] integer;
    private long rows;
    private int pending;

    private Table(String name, PreparedStatement insert, boolean[] integer) {
      this.name = name;
      this.insert = insert;
      this.integer = integer;
    }

    /** Appends a row: its values (canonical text, null for null) and its write time. */
    public void insert(String[] values, long writeTimeMicros) throws IOException {
      try {
        for (int i = 0; i < values.length; i++) {
          if (values[i] == null) {
            insert.setNull(i + 1, integer[i] ? java.sql.Types.INTEGER : java.sql.Types.VARCHAR);
          } else if (integer[i]) {
            insert.setLong(i + 1, Long.parseLong(values[i]));
          } else {
            insert.setString(i + 1, values[i]);
          }
        }
        if (writeTimeMicros == SourceRow.NO_WRITE_TIME) {
          insert.setNull(values.length + 1, java.sql.Types.INTEGER);
        } else {
          insert.setLong(values.length + 1, writeTimeMicros);
        }
        insert.addBatch();
        rows++;
        if (++pending == BATCH) {
          insert.executeBatch();
          pending = 0;
        }
      } catch (SQLException | NumberFormatException e) {
        throw new IOException("cannot insert into " + name + ": " + e.getMessage(), e);
      }
    }

    public long rows() {
      return rows;
    }

    public String name() {
      return name;
    }

    private void flush() throws SQLException {
      if (pending > 0) {
        insert.executeBatch();
        pending = 0;
      }
      insert.close();
    }
  }

  /** Completes the file: every row in, the table list written, vacuumed, closed. */
  public void finish() throws IOException {
    try {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + quote(TABLES) + " VALUES (?, ?, ?)")) {
        for (int i = 0; i < tables.size(); i++) {
          Table t = tables.get(i);
          t.flush();
          ps.setInt(1, i);
          ps.setString(2, t.name);
          ps.setLong(3, t.rows);
          ps.executeUpdate();
        }
      }
      c.commit();
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        s.execute("VACUUM");
      }
    } catch (SQLException e) {
      throw new IOException("cannot complete a SQLite archive: " + e.getMessage(), e);
    } finally {
      close();
    }
  }

  @Override
  public void close() {
    try {
      c.close();
    } catch (SQLException ignored) {
      // a local file, removed by its owner
    }
  }

  /** The tables a SQLite archive lists, in order, with their row counts. */
  public static List<java.util.Map.Entry<String, Long>> tables(Path file) throws IOException {
    try (Connection c = open(file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, rows FROM " + quote(TABLES) + " ORDER BY position")) {
      List<java.util.Map.Entry<String, Long>> out = new ArrayList<>();
      while (rs.next()) {
        out.add(java.util.Map.entry(rs.getString(1), rs.getLong(2)));
      }
      return out;
    } catch (SQLException e) {
      throw new IOException("not a SQLite archive: " + e.getMessage(), e);
    }
  }

  /**
   * Why table {@code table} of the file does not hold rows of {@code header} (or its row count
   * differs from the file's list), or null when it does.
   */
  public static String problem(Path file, String table, List<String> header) throws IOException {
    try (Connection c = open(file); Statement s = c.createStatement()) {
      List<String> cols = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT name FROM pragma_table_info('" + table.replace("'", "''") + "') ORDER BY cid")) {
        while (rs.next()) {
          cols.add(rs.getString(1));
        }
      }
      if (!cols.equals(header)) {
        return "table " + table + " of the SQLite archive has columns " + cols + ", expected " + header;
      }
      return null;
    } catch (SQLException e) {
      throw new IOException("not a SQLite archive: " + e.getMessage(), e);
    }
  }

  /** The rows of {@code table}, in archive order: each row's values as canonical text and its write time. */
  public static Rows rows(Path file, String table, int columns) throws IOException {
    try {
      Connection c = open(file);
      Statement s = c.createStatement();
      ResultSet rs = s.executeQuery("SELECT * FROM " + quote(table) + " ORDER BY rowid");
      return new Rows(c, rs, columns);
    } catch (SQLException e) {
      throw new IOException("cannot read table " + table + " of a SQLite archive: " + e.getMessage(), e);
    }
  }

  /** A table's rows as read; closed by its owner (or when exhausted). */
  public static final class Rows implements Iterator<SourceRow>, Closeable {
    private final Connection c;
    private final ResultSet rs;
    private final int columns;
    private Boolean more;

    private Rows(Connection c, ResultSet rs, int columns) {
      this.c = c;
      this.rs = rs;
      this.columns = columns;
    }

    @Override
    public boolean hasNext() {
      if (more == null) {
        try {
          more = rs.next();
        } catch (SQLException e) {
          throw new IllegalStateException("cannot read a SQLite archive: " + e.getMessage(), e);
        }
        if (!more) {
          close();
        }
      }
      return more;
    }

    @Override
    public SourceRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      more = null;
      try {
        String[] values = new String[columns - 1];
        for (int i = 0; i < values.length; i++) {
          values[i] = rs.getString(i + 1);
        }
        long wt = rs.getLong(columns);
        return new SourceRow(values, SourceRow.NO_TIME, rs.wasNull() ? SourceRow.NO_WRITE_TIME : wt);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read a SQLite archive: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      try {
        c.close();
      } catch (SQLException ignored) {
        // read-only local copy
      }
    }
  }

  private static Connection open(Path file) throws SQLException {
    org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
    config.setReadOnly(true);
    return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
