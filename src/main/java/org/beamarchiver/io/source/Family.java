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

  /** The members, each after its parent (the cascade in pre-order). */
  List<Member> members();

  /** The root key text of a parent row (its values in the parent's file order). */
  String rootKey(String[] parentValues);

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

  /** A member row's root key: its last value. */
  static String rootKeyOf(SourceRow memberRow) {
    String[] v = memberRow.values();
    return v[v.length - 1];
  }
}
