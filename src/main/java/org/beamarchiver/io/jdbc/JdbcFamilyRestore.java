package org.beamarchiver.io.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.beamarchiver.model.SourceRow;

/**
 * The restore of one family, in one transaction: the parent upserted as a single table's restore
 * does (kept when the target holds it as archived or newer), then each related table's rows in the
 * cascade's order, parents before children ({@code ON CONFLICT DO NOTHING}: a row already there
 * stays), then the parent's summary row removed, and the commit. Run again, it changes nothing.
 * Statements are prepared once per partition, on its connection.
 */
final class JdbcFamilyRestore implements AutoCloseable {
  private final JdbcFamily family;
  private final PreparedStatement parent;
  private final List<PreparedStatement> members = new ArrayList<>();
  private final PreparedStatement summary;
  private final JdbcFamily.Bound deleteSummary;

  JdbcFamilyRestore(Connection c, JdbcFamily family) throws SQLException {
    this.family = family;
    JdbcTable root = family.root();
    List<String> cols = root.layout().columns();
    List<String> key = Arrays.stream(root.layout().primaryKey()).mapToObj(cols::get).toList();
    String t = JdbcTable.quote(root.layout().timeColumn());
    String sets =
        cols.stream().filter(x -> !key.contains(x)).map(x -> JdbcTable.quote(x) + " = EXCLUDED." + JdbcTable.quote(x))
            .collect(Collectors.joining(", "));
    this.parent =
        c.prepareStatement(
            insert(root, "existing") + " ON CONFLICT (" + quoted(key) + ") DO " + (sets.isEmpty() ? "NOTHING"
                : "UPDATE SET " + sets + " WHERE existing." + t + " IS NULL OR existing." + t + " < EXCLUDED." + t));
    for (JdbcFamily.Node n : family.nodes()) {
      List<String> mc = n.jdbc().layout().columns();
      List<String> mk = Arrays.stream(n.jdbc().layout().primaryKey()).mapToObj(mc::get).toList();
      members.add(c.prepareStatement(insert(n.jdbc(), "existing") + " ON CONFLICT (" + quoted(mk) + ") DO NOTHING"));
    }
    this.deleteSummary = family.summary() == null ? null : family.deleteSummary();
    this.summary = deleteSummary == null ? null : c.prepareStatement(deleteSummary.sql());
  }

  private static String insert(JdbcTable t, String alias) {
    List<String> cols = t.layout().columns();
    return "INSERT INTO " + t.qualifiedName() + " AS " + alias + " (" + quoted(cols) + ") VALUES ("
        + cols.stream().map(x -> "?").collect(Collectors.joining(", ")) + ")";
  }

  private static String quoted(List<String> names) {
    return names.stream().map(JdbcTable::quote).collect(Collectors.joining(", "));
  }

  /** What one family's restore wrote: the parent (0 when kept) and related rows. */
  record Counts(long parent, long related) {}

  /**
   * Restores one family and commits; {@code archived.get(i)} holds member i's rows of it (each
   * ending with its root key, which is not written).
   */
  Counts restore(Connection c, String[] parentValues, List<List<SourceRow>> archived) throws SQLException {
    try {
      bind(parent, parentValues, parentValues.length);
      long p = parent.executeUpdate();
      long related = 0;
      for (int n = 0; n < archived.size(); n++) {
        PreparedStatement ps = members.get(n);
        if (archived.get(n).isEmpty()) {
          continue;
        }
        for (SourceRow r : archived.get(n)) {
          bind(ps, r.values(), r.values().length - 1);
          ps.addBatch();
        }
        for (int k : ps.executeBatch()) {
          related += Math.max(k, 0);
        }
      }
      if (summary != null) {
        deleteSummary.bind(summary, parentValues);
        summary.executeUpdate();
      }
      c.commit();
      return new Counts(p, related);
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    }
  }

  private static void bind(PreparedStatement ps, String[] v, int n) throws SQLException {
    for (int i = 0; i < n; i++) {
      if (v[i] == null) {
        ps.setNull(i + 1, Types.OTHER);
      } else {
        ps.setObject(i + 1, v[i], Types.OTHER); // the database casts the text to the column's type
      }
    }
  }

  @Override
  public void close() throws SQLException {
    parent.close();
    for (PreparedStatement ps : members) {
      ps.close();
    }
    if (summary != null) {
      summary.close();
    }
  }

  JdbcFamily family() {
    return family;
  }
}
