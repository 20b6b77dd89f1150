package org.beamarchiver.io.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.io.source.RowResult;
import org.beamarchiver.model.DeleteOutcome;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.retry.Recoverable;

/**
 * The verified delete of one family (a parent row and every row of its cascade), in one
 * transaction: the parent is locked ({@code FOR UPDATE}) and compared with its archived copy; each
 * related table's rows of that parent are locked, in the cascade's order, and compared, row by
 * row and in key order, with the archived ones (a row added, removed or changed since archiving
 * makes the family changed); then the summary row is inserted (its aggregates computed over the
 * rows just checked), the related rows are deleted bottom-up (each count must be the archived
 * count), the parent last, and the transaction commits. A changed family is left whole; any
 * failure rolls back: at every moment there is the family or its summary, never neither and never
 * both.
 */
final class JdbcFamilyDelete {
  private final JdbcFamily family;
  private final DeleteHook hook;
  private final JdbcRowText parentText;
  private final List<JdbcRowText> memberTexts;
  /** Statements prepared on {@link #on}, by SQL: a family's dozen statements are prepared once per connection. */
  private final java.util.Map<String, PreparedStatement> prepared = new java.util.HashMap<>();
  private Connection on;

  JdbcFamilyDelete(JdbcFamily family, DeleteHook hook) {
    this.family = family;
    this.hook = hook;
    this.parentText = new JdbcRowText(family.root());
    this.memberTexts = family.nodes().stream().map(n -> new JdbcRowText(n.jdbc())).toList();
  }

  /**
   * Checks and deletes one family; {@code members.get(i)} holds member i's archived rows of this
   * parent (each ending with its root key), in key order. Returns the parent's outcome and the
   * number of related rows deleted (or that would be).
   */
  Result apply(Connection c, String[] parent, List<List<SourceRow>> members, boolean dryRun) {
    try {
      c.setAutoCommit(false);
      hook.beforeDelete(parent);
      String[] now = lockParent(c, parent, dryRun);
      if (now == null) {
        c.rollback();
        return new Result(new RowResult(DeleteOutcome.ABSENT, null), 0);
      }
      if (!Arrays.equals(now, parent)) {
        c.rollback();
        return new Result(new RowResult(DeleteOutcome.SKIPPED_CHANGED, null), 0);
      }
      long related = 0;
      for (int n = 0; n < members.size(); n++) {
        if (!sameRows(c, n, parent, members.get(n), dryRun)) {
          c.rollback();
          return new Result(new RowResult(DeleteOutcome.SKIPPED_CHANGED, null), 0);
        }
        related += members.get(n).size();
      }
      if (dryRun) {
        c.rollback();
        return new Result(new RowResult(DeleteOutcome.WOULD_DELETE, null), related);
      }
      if (family.summary() != null) {
        JdbcFamily.Bound insert = family.insertSummary();
        PreparedStatement ps = prepare(c, insert.sql());
        insert.bind(ps, parent);
        ps.executeUpdate();
      }
      for (int n = members.size() - 1; n >= 0; n--) {
        PreparedStatement ps = prepare(c, family.deleteSql(n));
        family.bindRootKey(ps, 1, parent);
        int deleted = ps.executeUpdate();
        if (deleted != members.get(n).size()) {
          // The rows are locked: another count means rows came in that the lock did not hold.
          throw new SQLException(
              "deleted " + deleted + " rows of " + family.nodes().get(n).table() + " for " + members.get(n).size()
                  + " archived; rolled back");
        }
      }
      PreparedStatement del = prepare(c, "DELETE FROM " + family.root().qualifiedName() + " WHERE " + rootKeyIs());
      family.bindRootKey(del, 1, parent);
      if (del.executeUpdate() != 1) {
        throw new SQLException("the locked parent row was not deleted; rolled back");
      }
      c.commit();
      return new Result(new RowResult(DeleteOutcome.DELETED, null), related);
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the connection is broken: the transaction is gone with it
      }
      return new Result(new RowResult(DeleteOutcome.FAILED, e.toString(), Recoverable.is(e)), 0);
    }
  }

  /** {@code sql} prepared on {@code c}, once per connection; the caller does not close it. */
  private PreparedStatement prepare(Connection c, String sql) throws SQLException {
    if (c != on) {
      close();
      on = c;
    }
    PreparedStatement ps = prepared.get(sql);
    if (ps == null) {
      ps = c.prepareStatement(sql);
      prepared.put(sql, ps);
    }
    return ps;
  }

  /** Closes the prepared statements (the connection is the caller's). */
  void close() {
    for (PreparedStatement ps : prepared.values()) {
      try {
        ps.close();
      } catch (SQLException ignored) {
        // gone with its connection
      }
    }
    prepared.clear();
    on = null;
  }

  /** What one family's delete did. */
  record Result(RowResult parent, long relatedRows) {}

  private String rootKeyIs() {
    List<String> cols = family.root().layout().columns();
    return String.join(
        " AND ",
        Arrays.stream(family.root().layout().primaryKey()).mapToObj(p -> JdbcTable.quote(cols.get(p)) + " = ?").toList());
  }

  private String[] lockParent(Connection c, String[] parent, boolean dryRun) throws SQLException {
    PreparedStatement ps = prepare(c, family.root().selectSql() + " WHERE " + rootKeyIs() + (dryRun ? "" : " FOR UPDATE"));
    family.bindRootKey(ps, 1, parent);
    try (ResultSet rs = ps.executeQuery()) {
      List<SourceRow> rows = parentText.mapAll(rs);
      return rows.isEmpty() ? null : rows.get(0).values();
    }
  }

  /** Whether member {@code n}'s live rows of the parent (locked) are exactly the archived ones, in key order. */
  private boolean sameRows(Connection c, int n, String[] parent, List<SourceRow> archived, boolean dryRun)
      throws SQLException {
    PreparedStatement ps = prepare(c, family.lockSql(n, dryRun));
    family.bindRootKey(ps, 1, parent);
    JdbcRowText text = memberTexts.get(n);
    int i = 0;
    boolean same = true;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) { // read to the end: every row is locked
        String[] live = text.values(rs);
        if (i >= archived.size()) {
          same = false;
        } else {
          String[] a = archived.get(i).values();
          same &= Arrays.equals(live, Arrays.copyOf(a, a.length - 1));
        }
        i++;
      }
    }
    return same && i == archived.size();
  }
}
