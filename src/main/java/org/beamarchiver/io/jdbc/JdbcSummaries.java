package org.beamarchiver.io.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.beamarchiver.io.source.Family;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpec.Aggregate;
import org.beamarchiver.spec.TableSpec.SummarySpec;

/**
 * A cascade's summaries for the report ({@code report --summaries}): the batch's live parents with
 * their aggregates computed over their live families, then the summary rows the deletes left, all
 * in one read-only snapshot, every aggregate in one canonical text.
 */
final class JdbcSummaries {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JdbcFamily family;
  private final JdbcTable root;
  private final SummarySpec summary;

  JdbcSummaries(JdbcFamily family) {
    this.family = family;
    this.root = family.root();
    this.summary = family.summary();
  }

  /** The report's columns: the summary's copied columns, then its aggregates; empty without a summary. */
  static List<String> header(SummarySpec summary) {
    if (summary == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(summary.copySummary());
    summary.aggregates().forEach(a -> out.add(a.name()));
    return out;
  }

  /** Every parent of the batch as its summary ({@link Family#readSummaries}). */
  void read(String batchId, Family.SummarySink sink) throws IOException {
    if (summary == null) {
      throw new IllegalArgumentException("--summaries needs the table spec's summary");
    }
    try (Connection c = family.database().open()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ); // live and summarised parents of one moment
      c.setReadOnly(true);
      try {
        liveSummaries(c, batchId, sink);
        storedSummaries(c, batchId, sink);
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new IOException("cannot read the summaries of batch " + batchId + ": " + e.getMessage(), e);
    }
  }

  private void liveSummaries(Connection c, String batchId, Family.SummarySink sink) throws SQLException, IOException {
    RowLayout l = root.layout();
    String order = java.util.Arrays.stream(l.primaryKey()).mapToObj(p -> JdbcTable.quote(l.columns().get(p)))
        .collect(Collectors.joining(", "));
    JdbcFamily.Bound aggregates = family.selectAggregates();
    JdbcRowText text = new JdbcRowText(root);
    try (PreparedStatement parents =
            c.prepareStatement(root.selectSql() + " WHERE " + JdbcTable.quote(l.batchColumn()) + " = ? ORDER BY " + order);
        PreparedStatement agg = c.prepareStatement(aggregates.sql())) {
      parents.setFetchSize(1_000);
      parents.setObject(1, batchId, Types.OTHER);
      try (ResultSet rs = parents.executeQuery()) {
        while (rs.next()) {
          String[] parent = text.values(rs);
          String[] out = new String[summary.copySummary().size() + summary.aggregates().size()];
          for (int i = 0; i < summary.copyParent().size(); i++) {
            out[i] = parent[l.columns().indexOf(summary.copyParent().get(i))];
          }
          aggregates.bind(agg, parent);
          try (ResultSet a = agg.executeQuery()) {
            a.next();
            canonical(a, 0, out, summary.copySummary().size());
          }
          sink.row(true, out);
        }
      }
    }
  }

  private void storedSummaries(Connection c, String batchId, Family.SummarySink sink) throws SQLException, IOException {
    String batchCopy = summary.copySummary().get(summary.copyParent().indexOf(root.layout().batchColumn()));
    List<String> cols = header(summary).stream().map(JdbcTable::quote).toList();
    List<String> order = new ArrayList<>();
    for (int p : root.layout().primaryKey()) {
      order.add(JdbcTable.quote(summary.copySummary().get(summary.copyParent().indexOf(root.layout().columns().get(p)))));
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + String.join(", ", cols) + " FROM " + family.summaryTable() + " WHERE " + JdbcTable.quote(batchCopy)
                + " = ? ORDER BY " + String.join(", ", order))) {
      ps.setFetchSize(1_000);
      ps.setObject(1, batchId, Types.OTHER);
      try (ResultSet rs = ps.executeQuery()) {
        java.sql.ResultSetMetaData md = rs.getMetaData();
        int copied = summary.copySummary().size();
        while (rs.next()) {
          String[] out = new String[cols.size()];
          for (int i = 0; i < copied; i++) {
            out[i] = JdbcRowText.text(rs, i + 1, JdbcRowText.Kind.of(md.getColumnType(i + 1), md.getColumnTypeName(i + 1)));
          }
          canonical(rs, copied, out, copied);
          sink.row(false, out);
        }
      }
    }
  }

  /**
   * The aggregates of a result row (from its column {@code from + 1} on) into {@code out} from
   * {@code to}: numbers in plain form without trailing zeros, histograms as compact JSON arrays,
   * anything else (a min or max of a time) as the canonical text of its type.
   */
  private void canonical(ResultSet rs, int from, String[] out, int to) throws SQLException {
    java.sql.ResultSetMetaData md = rs.getMetaData();
    for (int i = 0; i < summary.aggregates().size(); i++) {
      int col = from + i + 1;
      Aggregate a = summary.aggregates().get(i);
      JdbcRowText.Kind kind = JdbcRowText.Kind.of(md.getColumnType(col), md.getColumnTypeName(col));
      String v = JdbcRowText.text(rs, col, kind);
      out[to + i] = canonicalAggregate(a, v);
    }
  }

  /** One aggregate's text in the form a report compares and adds: see {@link #canonical}. */
  static String canonicalAggregate(Aggregate a, String v) {
    if (v == null) {
      return null;
    }
    try {
      if (a.op() == TableSpec.AggregateOp.histogram) {
        return JSON.writeValueAsString(JSON.readTree(v));
      }
      BigDecimal d = new BigDecimal(v.trim());
      return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    } catch (NumberFormatException | JsonProcessingException e) {
      return v;
    }
  }
}
