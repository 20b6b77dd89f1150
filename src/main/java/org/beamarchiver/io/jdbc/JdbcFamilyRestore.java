package org.beamarchiver.io.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
  private final PreparedStatement parent;
  private final List<PreparedStatement> members = new ArrayList<>();
  private final PreparedStatement summary;
  private final JdbcFamily.Bound deleteSummary;

  JdbcFamilyRestore(Connection c, JdbcFamily family) throws SQLException {
    JdbcTable root = family.root();
    this.parent =
        c.prepareStatement(
            JdbcRestoreTarget.upsertSql(root.qualifiedName(), root.layout().columns(), key(root), root.layout().timeColumn()));
    for (JdbcFamily.Node n : family.nodes()) {
      List<String> mc = n.jdbc().layout().columns();
      members.add(
          c.prepareStatement(
              "INSERT INTO " + n.jdbc().qualifiedName() + " (" + quoted(mc) + ") VALUES ("
                  + mc.stream().map(x -> "?").collect(Collectors.joining(", ")) + ") ON CONFLICT (" + quoted(key(n.jdbc()))
                  + ") DO NOTHING"));
    }
    this.deleteSummary = family.summary() == null ? null : family.deleteSummary();
    this.summary = deleteSummary == null ? null : c.prepareStatement(deleteSummary.sql());
  }

  private static List<String> key(JdbcTable t) {
    List<String> cols = t.layout().columns();
    return Arrays.stream(t.layout().primaryKey()).mapToObj(cols::get).toList();
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
      JdbcRestoreTarget.bindText(parent, parentValues, parentValues.length);
      long p = parent.executeUpdate();
      long related = 0;
      for (int n = 0; n < archived.size(); n++) {
        PreparedStatement ps = members.get(n);
        if (archived.get(n).isEmpty()) {
          continue;
        }
        for (SourceRow r : archived.get(n)) {
          JdbcRestoreTarget.bindText(ps, r.values(), r.values().length - 1);
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
}
