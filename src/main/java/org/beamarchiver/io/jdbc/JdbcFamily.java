package org.beamarchiver.io.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.beamarchiver.io.source.Family;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.model.ValueType;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpec.Aggregate;
import org.beamarchiver.spec.TableSpec.ChildSpec;
import org.beamarchiver.spec.TableSpec.SummarySpec;
import org.beamarchiver.sql.JdbcEndpoint;

/**
 * A JDBC table's cascade: its related tables (the spec's {@code children}, recursively), each
 * resolved against the database and checked against its foreign keys, and the SQL that reads,
 * locks, deletes and summarises a family (a parent row and every row reachable from it). Every
 * identifier is quoted and every value bound: nothing from the spec reaches SQL as text. A member
 * is reached from the root through the chain of its ancestors' keys, so a grandchild's rows are
 * found by joining its parent to the root's key.
 *
 * @param nodes the related tables in pre-order (each after its parent)
 * @param summary the summary row, or null
 * @param summaryTable the summary table's quoted name, or null
 */
public record JdbcFamily(
    JdbcEndpoint database, JdbcTable root, List<Node> nodes, SummarySpec summary, String summaryTable)
    implements Family {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A related table.
   *
   * @param parent the index of its parent in the nodes, -1 for the root
   * @param childColumns its columns that hold the parent's key ({@code parentColumns}, same order)
   * @param field the spec field that names it ({@code children[1].children[0]})
   */
  public record Node(
      String table, JdbcTable jdbc, int parent, List<String> childColumns, List<String> parentColumns, String field)
      implements java.io.Serializable {}

  /**
   * The spec's cascade resolved in the database and checked: each table exists with the spec's
   * key; a child's {@code parentKey} agrees with every foreign key the database declares from it
   * to its parent; no foreign key from a table outside the cascade points at a table of it (its
   * rows would block the delete, or be changed by it, without being archived); the summary table
   * has the summary's columns.
   *
   * @return null when the spec lists no children and no summary
   * @throws IllegalArgumentException naming the spec field and the key
   */
  static JdbcFamily resolve(Connection c, JdbcEndpoint database, TableSpec spec, JdbcTable root) throws SQLException {
    if (!spec.isCascade()) {
      return null;
    }
    List<Node> nodes = new ArrayList<>();
    add(c, spec.keyspace(), spec.children(), -1, "children", nodes);
    DatabaseMetaData md = c.getMetaData();
    String schema = spec.keyspace();
    // Foreign keys the database declares between a child and its parent must be the spec's.
    for (Node n : nodes) {
      String parentTable = n.parent() < 0 ? spec.table() : nodes.get(n.parent()).table();
      Map<String, Map<String, String>> fks = new LinkedHashMap<>();
      try (ResultSet rs = md.getImportedKeys(null, schema, n.table())) {
        while (rs.next()) {
          if (schema.equals(rs.getString("PKTABLE_SCHEM")) && parentTable.equals(rs.getString("PKTABLE_NAME"))) {
            fks.computeIfAbsent(String.valueOf(rs.getString("FK_NAME")), k -> new LinkedHashMap<>())
                .put(rs.getString("FKCOLUMN_NAME"), rs.getString("PKCOLUMN_NAME"));
          }
        }
      }
      Map<String, String> mine = new LinkedHashMap<>();
      for (int i = 0; i < n.childColumns().size(); i++) {
        mine.put(n.childColumns().get(i), n.parentColumns().get(i));
      }
      for (Map.Entry<String, Map<String, String>> fk : fks.entrySet()) {
        if (!fk.getValue().equals(mine)) {
          throw new IllegalArgumentException(
              "table spec " + n.field() + ".parentKey " + mine + " disagrees with the database's foreign key "
                  + fk.getKey() + " from " + schema + "." + n.table() + " to " + schema + "." + parentTable + ": "
                  + fk.getValue());
        }
      }
    }
    // No table outside the cascade may point at one inside it.
    Map<String, Set<String>> childrenOf = new HashMap<>();
    for (Node n : nodes) {
      childrenOf.computeIfAbsent(n.parent() < 0 ? spec.table() : nodes.get(n.parent()).table(), k -> new LinkedHashSet<>())
          .add(n.table());
    }
    List<String> tables = new ArrayList<>(List.of(spec.table()));
    nodes.forEach(n -> tables.add(n.table()));
    for (String t : tables) {
      try (ResultSet rs = md.getExportedKeys(null, schema, t)) {
        while (rs.next()) {
          String from = rs.getString("FKTABLE_SCHEM") + "." + rs.getString("FKTABLE_NAME");
          boolean listed = schema.equals(rs.getString("FKTABLE_SCHEM"))
              && childrenOf.getOrDefault(t, Set.of()).contains(rs.getString("FKTABLE_NAME"));
          if (!listed) {
            throw new IllegalArgumentException(
                "the database's foreign key " + rs.getString("FK_NAME") + " from " + from + " points at " + schema + "." + t
                    + " (ON DELETE " + rule(rs.getShort("DELETE_RULE")) + "), but the table spec does not list "
                    + rs.getString("FKTABLE_NAME") + " among the children of " + t + ": its rows would "
                    + (rs.getShort("DELETE_RULE") == DatabaseMetaData.importedKeyCascade
                            || rs.getShort("DELETE_RULE") == DatabaseMetaData.importedKeySetNull
                            || rs.getShort("DELETE_RULE") == DatabaseMetaData.importedKeySetDefault
                        ? "be changed by the delete without being archived"
                        : "block the delete")
                    + "; add it to the spec's children (with its parentKey)");
          }
        }
      }
    }
    String summaryTable = null;
    if (spec.summary() != null) {
      summaryTable = checkSummary(md, spec, root, nodes);
    }
    return new JdbcFamily(database, root, List.copyOf(nodes), spec.summary(), summaryTable);
  }

  private static String rule(short r) {
    return switch (r) {
      case DatabaseMetaData.importedKeyCascade -> "CASCADE";
      case DatabaseMetaData.importedKeySetNull -> "SET NULL";
      case DatabaseMetaData.importedKeySetDefault -> "SET DEFAULT";
      case DatabaseMetaData.importedKeyRestrict -> "RESTRICT";
      default -> "NO ACTION";
    };
  }

  private static void add(Connection c, String schema, List<ChildSpec> children, int parent, String field, List<Node> out)
      throws SQLException {
    for (int i = 0; i < children.size(); i++) {
      ChildSpec child = children.get(i);
      String at = field + "[" + i + "]";
      JdbcTable t = JdbcTable.member(c, schema, child.table(), child.primaryKey(), at);
      for (String col : child.childColumns()) {
        if (!t.layout().columns().contains(col)) {
          throw new IllegalArgumentException(
              "table spec " + at + ".parentKey names column '" + col + "', which " + schema + "." + child.table() + " does not have");
        }
      }
      int index = out.size();
      out.add(new Node(child.table(), t, parent, child.childColumns(), child.parentColumns(), at));
      add(c, schema, child.children(), index, at + ".children", out);
    }
  }

  /** The summary table's quoted name, once it is known to have every column the summary writes. */
  private static String checkSummary(DatabaseMetaData md, TableSpec spec, JdbcTable root, List<Node> nodes)
      throws SQLException {
    SummarySpec s = spec.summary();
    Map<String, String[]> columns = JdbcTable.columns(md, spec.keyspace(), s.table());
    if (columns.isEmpty()) {
      throw new IllegalArgumentException(
          "table spec summary.table '" + spec.keyspace() + "." + s.table() + "' does not exist (create it with the summary's columns)");
    }
    List<String> needed = new ArrayList<>(s.copySummary());
    s.aggregates().forEach(a -> needed.add(a.name()));
    for (String col : needed) {
      if (!columns.containsKey(col)) {
        throw new IllegalArgumentException(
            "table spec summary names column '" + col + "', which " + spec.keyspace() + "." + s.table() + " does not have");
      }
    }
    for (int i = 0; i < s.copyParent().size(); i++) {
      if (!root.layout().columns().contains(s.copyParent().get(i))) {
        throw new IllegalArgumentException(
            "table spec summary.copy." + s.copySummary().get(i) + " names '" + s.copyParent().get(i) + "', which is not an archived column of "
                + spec.qualifiedTable());
      }
    }
    for (Aggregate a : s.aggregates()) {
      JdbcTable t = a.table().equals(spec.table()) ? root : nodes.stream().filter(n -> n.table().equals(a.table())).findFirst().orElseThrow().jdbc();
      List<String> cols = new ArrayList<>(a.whereColumns());
      if (a.column() != null) {
        cols.add(a.column());
      }
      for (String col : cols) {
        if (!t.layout().columns().contains(col)) {
          throw new IllegalArgumentException(
              "table spec summary.columns." + a.name() + " names column '" + col + "', which " + a.table() + " does not have");
        }
      }
    }
    return JdbcTable.quote(spec.keyspace()) + "." + JdbcTable.quote(s.table());
  }

  @Override
  public List<String> parentColumns() {
    return root.layout().columns();
  }

  @Override
  public List<Member> members() {
    List<Member> out = new ArrayList<>();
    for (Node n : nodes) {
      RowLayout l = n.jdbc().layout();
      List<String> header = new ArrayList<>(l.columns());
      header.add(ROOT_KEY_COLUMN);
      header.add(RowLayout.WRITE_TIME_COLUMN);
      List<ValueType> types = new ArrayList<>(l.valueTypes());
      types.add(ValueType.of(ValueType.Kind.TEXT));
      List<String> sqlTypes = new ArrayList<>(l.types());
      sqlTypes.add("text");
      out.add(new Member(n.table(), List.copyOf(header), List.copyOf(types), List.copyOf(sqlTypes)));
    }
    return out;
  }

  @Override
  public String rootKey(String[] parentValues) {
    List<String> key = new ArrayList<>();
    for (int p : root.layout().primaryKey()) {
      key.add(parentValues[p]);
    }
    try {
      return JSON.writeValueAsString(key);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- SQL -----------------------------------------------------------------------------------

  /** How node {@code n} is reached from the root: its joins, and the columns that hold the root's key. */
  record Path(String from, String using, List<String> joins, List<String> rootLink) {}

  Path path(int n) {
    List<String> aliasTables = new ArrayList<>();
    List<String> joins = new ArrayList<>();
    int at = n;
    int alias = 0;
    while (nodes.get(at).parent() >= 0) {
      Node child = nodes.get(at);
      Node parent = nodes.get(child.parent());
      List<String> on = new ArrayList<>();
      for (int i = 0; i < child.childColumns().size(); i++) {
        on.add("t" + alias + "." + JdbcTable.quote(child.childColumns().get(i)) + " = t" + (alias + 1) + "."
            + JdbcTable.quote(child.parentColumns().get(i)));
      }
      joins.add(String.join(" AND ", on));
      aliasTables.add(parent.jdbc().qualifiedName() + " t" + (alias + 1));
      at = child.parent();
      alias++;
    }
    Node top = nodes.get(at);
    List<String> link = new ArrayList<>();
    for (int p : root.layout().primaryKey()) {
      String rootColumn = root.layout().columns().get(p);
      int j = top.parentColumns().indexOf(rootColumn);
      link.add("t" + alias + "." + JdbcTable.quote(top.childColumns().get(j)));
    }
    StringBuilder from = new StringBuilder(nodes.get(n).jdbc().qualifiedName() + " t0");
    for (int i = 0; i < aliasTables.size(); i++) {
      from.append(" JOIN ").append(aliasTables.get(i)).append(" ON ").append(joins.get(i));
    }
    return new Path(from.toString(), String.join(", ", aliasTables), joins, link);
  }

  private String columnsOf(int n) {
    return nodes.get(n).jdbc().layout().columns().stream().map(c -> "t0." + JdbcTable.quote(c)).collect(Collectors.joining(", "));
  }

  private String keyOrder(int n) {
    RowLayout l = nodes.get(n).jdbc().layout();
    List<String> out = new ArrayList<>();
    for (int p : l.primaryKey()) {
      out.add("t0." + JdbcTable.quote(l.columns().get(p)));
    }
    return String.join(", ", out);
  }

  /** Node {@code n}'s rows of {@code parents} parents (their keys then their ordinal bound per parent), in parent, then key order. */
  String readSql(int n, int parents) {
    Path p = path(n);
    List<String> casts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int[] pk = root.layout().primaryKey();
    for (int i = 0; i < pk.length; i++) {
      casts.add("CAST(? AS " + JdbcTable.quote(root.layout().types().get(pk[i])) + ")");
      names.add("r" + i);
    }
    casts.add("CAST(? AS int4)");
    names.add("ord");
    String tuple = "(" + String.join(", ", casts) + ")";
    List<String> on = new ArrayList<>();
    for (int i = 0; i < pk.length; i++) {
      on.add(p.rootLink().get(i) + " = k.r" + i);
    }
    return "SELECT " + columnsOf(n) + ", k.ord FROM " + p.from() + " JOIN (VALUES "
        + String.join(", ", java.util.Collections.nCopies(parents, tuple)) + ") AS k(" + String.join(", ", names) + ") ON "
        + String.join(" AND ", on) + " ORDER BY k.ord, " + keyOrder(n);
  }

  /** Node {@code n}'s rows of one parent (its key bound), in key order, locked unless {@code dryRun}. */
  String lockSql(int n, boolean dryRun) {
    Path p = path(n);
    return "SELECT " + columnsOf(n) + " FROM " + p.from() + " WHERE " + rootIs(p) + " ORDER BY " + keyOrder(n)
        + (dryRun ? "" : " FOR UPDATE OF t0");
  }

  /** Deletes node {@code n}'s rows of one parent (its key bound). */
  String deleteSql(int n) {
    Path p = path(n);
    String table = nodes.get(n).jdbc().qualifiedName() + " t0";
    if (p.joins().isEmpty()) {
      return "DELETE FROM " + table + " WHERE " + rootIs(p);
    }
    return "DELETE FROM " + table + " USING " + p.using() + " WHERE " + String.join(" AND ", p.joins()) + " AND " + rootIs(p);
  }

  private static String rootIs(Path p) {
    return p.rootLink().stream().map(c -> c + " = ?").collect(Collectors.joining(" AND "));
  }

  /** The root's key values of a parent row, bound from {@code index} on; the next index. */
  int bindRootKey(PreparedStatement ps, int index, String[] parent) throws SQLException {
    for (int p : root.layout().primaryKey()) {
      ps.setObject(index++, parent[p], Types.OTHER);
    }
    return index;
  }

  /** A value bound into a statement built here: a parent row's value, or a constant from the spec. */
  sealed interface Param permits ParentValue, Constant {}

  /** The parent row's value at {@code index}. */
  record ParentValue(int index) implements Param {}

  /** A spec constant: text (typed by the database from the column it meets) or a number. */
  record Constant(Object value) implements Param {}

  /** A statement with its parameters, bound per parent row. */
  record Bound(String sql, List<Param> params) {
    void bind(PreparedStatement ps, String[] parent) throws SQLException {
      for (int i = 0; i < params.size(); i++) {
        Param p = params.get(i);
        if (p instanceof ParentValue v) {
          if (parent[v.index()] == null) {
            ps.setNull(i + 1, Types.OTHER);
          } else {
            ps.setObject(i + 1, parent[v.index()], Types.OTHER);
          }
        } else if (((Constant) p).value() instanceof BigDecimal d) {
          ps.setBigDecimal(i + 1, d);
        } else {
          ps.setObject(i + 1, ((Constant) p).value(), Types.OTHER);
        }
      }
    }
  }

  /** One aggregate over a family, as a scalar subquery. */
  Bound aggregate(Aggregate a) {
    List<Param> params = new ArrayList<>();
    String col = a.column() == null ? null : "t0." + JdbcTable.quote(a.column());
    String expr;
    switch (a.op()) {
      case count -> expr = col == null ? "count(*)" : "count(" + col + ")";
      case histogram -> {
        List<String> bins = new ArrayList<>();
        for (int i = 0; i + 1 < a.bins().size(); i++) {
          boolean last = i + 2 == a.bins().size();
          bins.add("count(*) FILTER (WHERE " + col + " >= ? AND " + col + (last ? " <= ?" : " < ?") + ")");
          params.add(new Constant(a.bins().get(i)));
          params.add(new Constant(a.bins().get(i + 1)));
        }
        expr = "json_build_array(" + String.join(", ", bins) + ")";
      }
      default -> expr = a.op().name() + "(" + col + ")";
    }
    String from;
    List<String> where = new ArrayList<>();
    int[] pk = root.layout().primaryKey();
    int n = memberIndex(a.table());
    if (n < 0) {
      from = root.qualifiedName() + " t0";
      for (int p : pk) {
        where.add("t0." + JdbcTable.quote(root.layout().columns().get(p)) + " = ?");
        params.add(new ParentValue(p));
      }
    } else {
      Path p = path(n);
      from = p.from();
      for (int i = 0; i < pk.length; i++) {
        where.add(p.rootLink().get(i) + " = ?");
        params.add(new ParentValue(pk[i]));
      }
    }
    for (int i = 0; i < a.whereColumns().size(); i++) {
      String w = "t0." + JdbcTable.quote(a.whereColumns().get(i));
      if (a.whereValues().get(i) == null) {
        where.add(w + " IS NULL");
      } else {
        where.add(w + " = ?");
        params.add(new Constant(a.whereValues().get(i)));
      }
    }
    return new Bound("(SELECT " + expr + " FROM " + from + " WHERE " + String.join(" AND ", where) + ")", params);
  }

  /** The INSERT of a parent's summary row: copied columns, then every aggregate. */
  Bound insertSummary() {
    List<String> cols = new ArrayList<>();
    List<String> values = new ArrayList<>();
    List<Param> params = new ArrayList<>();
    for (int i = 0; i < summary.copySummary().size(); i++) {
      cols.add(JdbcTable.quote(summary.copySummary().get(i)));
      values.add("?");
      params.add(new ParentValue(root.layout().columns().indexOf(summary.copyParent().get(i))));
    }
    for (Aggregate a : summary.aggregates()) {
      Bound b = aggregate(a);
      cols.add(JdbcTable.quote(a.name()));
      values.add(b.sql());
      params.addAll(b.params());
    }
    return new Bound(
        "INSERT INTO " + summaryTable + " (" + String.join(", ", cols) + ") VALUES (" + String.join(", ", values) + ")", params);
  }

  /** The DELETE of a parent's summary row, by the columns that copy the root's key. */
  Bound deleteSummary() {
    List<String> where = new ArrayList<>();
    List<Param> params = new ArrayList<>();
    for (int p : root.layout().primaryKey()) {
      String rootColumn = root.layout().columns().get(p);
      int j = summary.copyParent().indexOf(rootColumn);
      where.add(JdbcTable.quote(summary.copySummary().get(j)) + " = ?");
      params.add(new ParentValue(p));
    }
    return new Bound("DELETE FROM " + summaryTable + " WHERE " + String.join(" AND ", where), params);
  }

  /** The summary's aggregates for one live parent, as one SELECT (the report's live side). */
  Bound selectAggregates() {
    List<String> exprs = new ArrayList<>();
    List<Param> params = new ArrayList<>();
    for (Aggregate a : summary.aggregates()) {
      Bound b = aggregate(a);
      exprs.add(b.sql());
      params.addAll(b.params());
    }
    return new Bound("SELECT " + String.join(", ", exprs), params);
  }

  /** The index of related table {@code table}, or -1 for the parent's own (a spec names each table once). */
  private int memberIndex(String table) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).table().equals(table)) {
        return i;
      }
    }
    return -1;
  }

  // --- summaries for the report: JdbcSummaries; members' rows for the archive: JdbcMemberReader ---

  @Override
  public List<String> summaryHeader() {
    return JdbcSummaries.header(summary);
  }

  @Override
  public void readSummaries(String batchId, SummarySink sink) throws IOException {
    new JdbcSummaries(this).read(batchId, sink);
  }

  @Override
  public Reader open() throws IOException {
    return JdbcMemberReader.open(this);
  }
}
