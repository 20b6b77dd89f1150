package org.beamarchiver.io.source;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.ValueType;

/**
 * The related tables archived with a parent table (a cascade: children, their children, ...), as a
 * source that has them offers them ({@link LiveSource#family}): each member's archive header, and
 * a reader of the members' rows that belong to given parent rows. Every member row archived
 * carries its root parent's key ({@link #ROOT_KEY_COLUMN}), and a member's rows come in the order
 * of their parents in the parent's file, then by the member's own key: the delete and the restore
 * walk a parent's file and its members' files side by side, one family at a time.
 */
public interface Family extends Serializable {
  /** The column of a member's archive that holds its root parent's primary key (a JSON array of its texts). */
  String ROOT_KEY_COLUMN = "_root_key";

  /**
   * One related table.
   *
   * @param table its name (the spec's), which names its archive file and its table in a SQLite archive
   * @param header its archive header: its columns, {@link #ROOT_KEY_COLUMN}, then the write time column
   * @param valueTypes the typed form of each header column but the write time
   * @param types each column's type as the database names it, then {@code text} for the root key
   */
  record Member(String table, List<String> header, List<ValueType> valueTypes, List<String> types)
      implements Serializable {}

  /** The parent table's columns as the live table has them, which a family's restore writes. */
  List<String> parentColumns();

  /** The members, each after its parent (the cascade in pre-order). */
  List<Member> members();

  /** The root key text of a parent row (its values in the parent's file order). */
  String rootKey(String[] parentValues);

  /**
   * The columns of a summaries report: the summary's copied columns, then its aggregates; empty
   * when the spec has no summary.
   */
  List<String> summaryHeader();

  /**
   * Every parent of batch {@code batchId} as its summary: a live parent's aggregates computed over
   * its live family, an archived and deleted parent's summary row as the delete left it; values in
   * {@link #summaryHeader} order, numbers and histograms in one canonical text.
   */
  void readSummaries(String batchId, SummarySink sink) throws IOException;

  /** Where summaries go. */
  interface SummarySink {
    void row(boolean live, String[] values) throws IOException;
  }

  /** A reader of members' rows for one partition, on one connection and one snapshot. */
  Reader open() throws IOException;

  /** Reads members' rows; closed after the partition. */
  interface Reader extends AutoCloseable {
    /**
     * The rows of member {@code member} whose root parent is one of {@code parents} (parent rows'
     * values, in file order), in that order and then by the member's key; each row's values end
     * with its root key.
     */
    void read(int member, List<String[]> parents, SliceScanner.RowSink sink) throws IOException;

    @Override
    void close() throws IOException;
  }

  /**
   * A partition's verified archive of its related tables: {@code members.get(i)} the rows of
   * member i, in the order the archive wrote them (parent by parent, then by key).
   */
  final class Rows {
    private final Family family;
    private final List<Peeking> members;

    public Rows(Family family, List<java.util.Iterator<SourceRow>> members) {
      this.family = family;
      this.members = members.stream().map(Peeking::new).toList();
    }

    public Family family() {
      return family;
    }

    /**
     * The archived rows of each member whose root is {@code parent} (the next parent of the
     * parent's file), read off the members' files; {@code get(i)} member i's, in key order.
     */
    public List<List<SourceRow>> ofParent(String[] parent) {
      String key = family.rootKey(parent);
      List<List<SourceRow>> out = new java.util.ArrayList<>(members.size());
      for (Peeking m : members) {
        List<SourceRow> mine = new java.util.ArrayList<>();
        while (m.hasNext() && rootKeyOf(m.peek()).equals(key)) {
          mine.add(m.next());
        }
        out.add(mine);
      }
      return out;
    }

    /**
     * Once every parent is read: throws when a member's file still holds rows, which then belong
     * to no parent of the file (or came out of order): the archive is inconsistent.
     */
    public void checkAllRead(Object partition) {
      for (Peeking m : members) {
        if (m.hasNext()) {
          throw new IllegalStateException(
              "partition " + partition + ": an archived related row belongs to no archived parent in order ("
                  + rootKeyOf(m.peek()) + "); the archive is inconsistent");
        }
      }
    }

    private static final class Peeking {
      private final java.util.Iterator<SourceRow> in;
      private SourceRow next;

      Peeking(java.util.Iterator<SourceRow> in) {
        this.in = in;
      }

      SourceRow peek() {
        if (next == null) {
          next = in.next();
        }
        return next;
      }

      boolean hasNext() {
        return next != null || in.hasNext();
      }

      SourceRow next() {
        SourceRow r = peek();
        next = null;
        return r;
      }
    }
  }

  /** A member row's root key: its last value. */
  static String rootKeyOf(SourceRow memberRow) {
    String[] v = memberRow.values();
    return v[v.length - 1];
  }
}
