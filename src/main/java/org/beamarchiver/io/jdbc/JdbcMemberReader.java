package org.beamarchiver.io.jdbc;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.beamarchiver.io.source.Family;
import org.beamarchiver.io.source.SliceScanner;
import org.beamarchiver.model.SourceRow;

/**
 * Reads a cascade's members' rows for the archive, on one connection and one REPEATABLE READ
 * read-only snapshot per partition: each member's rows of a chunk of parents in one statement
 * (their keys and ordinals as a {@code VALUES} list), in the parents' order, then the member's key,
 * each row ending with its root parent's key.
 */
final class JdbcMemberReader implements Family.Reader {
  private static final int FETCH_SIZE = 5_000;

  private final JdbcFamily family;
  private final Connection c;
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private final List<JdbcRowText> texts = new ArrayList<>();

  private JdbcMemberReader(JdbcFamily family, Connection c) {
    this.family = family;
    this.c = c;
    family.nodes().forEach(n -> texts.add(new JdbcRowText(n.jdbc())));
  }

  /** A reader on its own connection and snapshot ({@link Family#open}). */
  static JdbcMemberReader open(JdbcFamily family) throws IOException {
    try {
      Connection c = family.database().open();
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ); // one snapshot for the partition's members
      c.setReadOnly(true);
      return new JdbcMemberReader(family, c);
    } catch (SQLException e) {
      throw new IOException("cannot open the source to read related tables: " + e.getMessage(), e);
    }
  }

  @Override
  public void read(int member, List<String[]> parents, SliceScanner.RowSink sink) throws IOException {
    if (parents.isEmpty()) {
      return;
    }
    try {
      PreparedStatement ps = statements.get(member + "/" + parents.size());
      if (ps == null) {
        ps = c.prepareStatement(family.readSql(member, parents.size()));
        ps.setFetchSize(FETCH_SIZE);
        statements.put(member + "/" + parents.size(), ps);
      }
      String[] keys = new String[parents.size()];
      int index = 1;
      for (int i = 0; i < parents.size(); i++) {
        index = family.bindRootKey(ps, index, parents.get(i));
        ps.setInt(index++, i);
        keys[i] = family.rootKey(parents.get(i));
      }
      int width = family.nodes().get(member).jdbc().layout().size();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String[] values = java.util.Arrays.copyOf(texts.get(member).values(rs), width + 1);
          values[width] = keys[rs.getInt(width + 1)];
          sink.row(new SourceRow(values, SourceRow.NO_TIME, SourceRow.NO_WRITE_TIME));
        }
      }
    } catch (SQLException e) {
      throw new IOException("cannot read related table " + family.nodes().get(member).table() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      c.rollback();
      c.close();
    } catch (SQLException ignored) {
      // read-only; the connection is gone with it
    }
  }
}
