package org.beamarchiver.io.jdbc;

import org.beamarchiver.io.source.DeleteHook;
import org.beamarchiver.io.source.RowResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.beamarchiver.retry.Recoverable;
import org.beamarchiver.model.DeleteOutcome;
import org.beamarchiver.model.RowToDelete;
import org.beamarchiver.model.SourceRow;

/**
 * The verified delete's guard for a JDBC table: in one transaction, the archived rows' keys are
 * read with {@code SELECT ... FOR UPDATE} (which locks them against concurrent writers), each row
 * read is compared, every column's canonical text, with its archived copy, and only the rows equal
 * to it are deleted, by primary key, before the commit. A row changed since it was archived (its
 * time column or any other value) is kept; one already gone counts as absent. A failure rolls the
 * whole group back, so a group is deleted entirely or not at all.
 */
public final class JdbcGuardedDelete {
  private final JdbcTable table;
  private final DeleteHook hook;
  private final JdbcRowText text;
  private final int[] pk;

  public JdbcGuardedDelete(JdbcTable table, DeleteHook hook) {
    this.table = table;
    this.hook = hook;
    this.text = new JdbcRowText(table);
    this.pk = table.layout().primaryKey();
  }

  /** Checks and deletes a group of archived rows in one transaction; one result per row, in order. */
  public List<RowResult> apply(Connection c, List<RowToDelete> rows, boolean dryRun) {
    RowResult[] results = new RowResult[rows.size()];
    try {
      c.setAutoCommit(false);
      for (RowToDelete r : rows) {
        hook.beforeDelete(r.values());
      }
      Map<List<String>, SourceRow> current = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement(table.selectSql() + " WHERE " + keysIn(rows.size()) + (dryRun ? "" : " FOR UPDATE"))) {
        bindKeys(ps, rows);
        try (ResultSet rs = ps.executeQuery()) {
          for (SourceRow now : text.mapAll(rs)) {
            current.put(key(now.values()), now);
          }
        }
      }
      List<RowToDelete> toDelete = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        RowToDelete r = rows.get(i);
        SourceRow now = current.get(key(r.values()));
        if (now == null) {
          results[i] = new RowResult(DeleteOutcome.ABSENT, null);
        } else if (!Arrays.equals(now.values(), r.values())) {
          results[i] = new RowResult(DeleteOutcome.SKIPPED_CHANGED, null);
        } else if (dryRun) {
          results[i] = new RowResult(DeleteOutcome.WOULD_DELETE, null);
        } else {
          toDelete.add(r);
          results[i] = new RowResult(DeleteOutcome.DELETED, null);
        }
      }
      if (!toDelete.isEmpty()) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table.qualifiedName() + " WHERE " + keysIn(toDelete.size()))) {
          bindKeys(ps, toDelete);
          int n = ps.executeUpdate();
          if (n != toDelete.size()) {
            // The rows are locked: any other count means the keys did not match one row each.
            throw new SQLException("deleted " + n + " rows for " + toDelete.size() + " locked keys; rolled back");
          }
        }
      }
      c.commit();
      return Arrays.asList(results);
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the connection is broken: the transaction is gone with it
      }
      RowResult failed = new RowResult(DeleteOutcome.FAILED, e.toString(), Recoverable.is(e));
      return java.util.Collections.nCopies(rows.size(), failed);
    }
  }

  private List<String> key(String[] values) {
    List<String> k = new ArrayList<>(pk.length);
    for (int p : pk) {
      k.add(values[p]);
    }
    return k;
  }

  /** {@code ("a", "b") IN ((?, ?), (?, ?), ...)}. */
  private String keysIn(int n) {
    List<String> cols = table.layout().columns();
    String tuple = "(" + Arrays.stream(pk).mapToObj(p -> "?").collect(Collectors.joining(", ")) + ")";
    return "(" + Arrays.stream(pk).mapToObj(p -> JdbcTable.quote(cols.get(p))).collect(Collectors.joining(", ")) + ") IN ("
        + String.join(", ", java.util.Collections.nCopies(n, tuple)) + ")";
  }

  /** Key values as the archive's text, typed by the database from the column they meet. */
  private void bindKeys(PreparedStatement ps, List<RowToDelete> rows) throws SQLException {
    int i = 1;
    for (RowToDelete r : rows) {
      for (int p : pk) {
        ps.setObject(i++, r.values()[p], Types.OTHER);
      }
    }
  }
}
