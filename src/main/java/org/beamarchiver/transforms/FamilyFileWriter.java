package org.beamarchiver.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.io.format.SqliteArchive;
import org.beamarchiver.io.source.Family;
import org.beamarchiver.io.source.SliceScanner;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Checksums;
import org.beamarchiver.model.ArchivedFile;
import org.beamarchiver.model.FamilyFile;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.SourceRow;

/**
 * The parts of a partition's archive beyond its parent file: the files of its related tables (a
 * cascade) in CSV and Parquet, and the one SQLite database that holds every table in the SQLITE
 * format. Parents are walked in the order of their file, {@link Family#PARENTS_PER_READ} at a
 * time, and each member's rows of those parents read in one statement and appended to its output:
 * nothing of a partition is held in memory beyond one chunk of parents.
 */
final class FamilyFileWriter {
  /** Parents whose members are read in one statement. */
  static final int PARENTS_PER_READ = 500;

  private FamilyFileWriter() {}

  /** One member's file being written: its object, the bytes and SHA-256 through it, its rows. */
  private static final class MemberFile implements SliceScanner.RowSink {
    final WritableByteChannel channel;
    final MessageDigest sha = Checksums.sha256();
    final PartitionFileWriter.CountingOutputStream counted;
    final PartitionFileWriter.RecordSink sink;
    long rows;

    MemberFile(WritePartitionFiles.FileSettings settings, Family.Member m, String tempParent) throws IOException {
      channel =
          FileSystems.create(
              FileSystems.matchNewResource(ArchivePaths.memberFile(tempParent, m.table()), false),
              settings.format().mimeType());
      counted = new PartitionFileWriter.CountingOutputStream(new DigestOutputStream(Channels.newOutputStream(channel), sha));
      sink = PartitionFileWriter.sink(settings, m.header(), m.valueTypes(), counted);
    }

    @Override
    public void row(SourceRow row) throws IOException {
      String[] v = Arrays.copyOf(row.values(), row.values().length + 1); // write time: none
      sink.write(CsvLines.line((Object[]) v).getBytes(StandardCharsets.UTF_8), 0);
      rows++;
    }
  }

  /**
   * Writes every member's file of a partition (CSV or Parquet) to its temporary object beside
   * {@code tempParent}; returns them as the ledger lists them, under their final names beside
   * {@code finalParent}. The caller renames them ({@link #publish}).
   */
  static List<FamilyFile> writeMembers(
      WritePartitionFiles.FileSettings settings, PartitionFileWriter.SortedRows sorted, String tempParent,
      String finalParent) throws IOException {
    List<Family.Member> members = settings.family().members();
    List<MemberFile> files = new ArrayList<>();
    try {
      for (Family.Member m : members) {
        files.add(new MemberFile(settings, m, tempParent));
      }
      readFamilies(settings, sorted, files);
      for (MemberFile f : files) {
        f.sink.close();
      }
    } finally {
      for (MemberFile f : files) {
        f.channel.close();
      }
    }
    List<FamilyFile> out = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      MemberFile f = files.get(i);
      String table = members.get(i).table();
      out.add(new FamilyFile(table, ArchivePaths.memberFile(finalParent, table), f.rows, f.counted.count, Checksums.hex(f.sha)));
    }
    return out;
  }

  /** Renames each member's temporary object (beside {@code tempParent}) to its final name. */
  static void publish(List<FamilyFile> files, String tempParent) throws IOException {
    for (FamilyFile f : files) {
      org.beamarchiver.io.store.Stores.rename(
          FileSystems.matchNewResource(ArchivePaths.memberFile(tempParent, f.table()), false),
          FileSystems.matchNewResource(f.path(), false));
    }
  }

  /** The members' temporary and final objects of a partition whose write failed. */
  static List<ResourceId> leftovers(WritePartitionFiles.FileSettings settings, String tempParent, String finalParent) {
    List<ResourceId> out = new ArrayList<>();
    if (settings.family() == null || settings.format() == org.beamarchiver.model.ArchiveFormat.SQLITE) {
      return out;
    }
    for (Family.Member m : settings.family().members()) {
      out.add(FileSystems.matchNewResource(ArchivePaths.memberFile(tempParent, m.table()), false));
      out.add(FileSystems.matchNewResource(ArchivePaths.memberFile(finalParent, m.table()), false));
    }
    return out;
  }

  /**
   * Writes partition {@code key}'s SQLite archive, the parent table then each member's, built in a
   * local file and copied to {@code temp} through SHA-256.
   */
  static ArchivedFile writeSqlite(
      WritePartitionFiles.FileSettings settings, PartitionKey key, PartitionFileWriter.SortedRows sorted,
      ResourceId temp, String finalName) throws IOException {
    Path local = Files.createTempFile("beam-archiver-", ".sqlite");
    Files.delete(local); // SQLite creates it
    try {
      ArchivedFile parent;
      List<SqliteArchive.Table> tables = new ArrayList<>();
      try (SqliteArchive db = SqliteArchive.create(local)) {
        String name = settings.tableName() == null ? "archive" : settings.tableName();
        SqliteArchive.Table parentTable = db.table(name, settings.header(), settings.valueTypes());
        List<SliceScanner.RowSink> out = new ArrayList<>();
        if (settings.family() != null) {
          for (Family.Member m : settings.family().members()) {
            SqliteArchive.Table t = db.table(m.table(), m.header(), m.valueTypes());
            tables.add(t);
            out.add(row -> t.insert(row.values(), SourceRow.NO_WRITE_TIME));
          }
        }
        int n = settings.header().size();
        PartitionFileWriter.RecordSink parentSink =
            new PartitionFileWriter.RecordSink() {
              @Override
              public void write(byte[] payload, int lineOffset) throws IOException {
                String[] f = CsvLines.fields(payload, lineOffset, payload.length, n);
                String wt = f[n - 1];
                parentTable.insert(Arrays.copyOf(f, n - 1), wt == null ? SourceRow.NO_WRITE_TIME : Long.parseLong(wt));
              }

              @Override
              public void close() {}
            };
        parent = PartitionFileWriter.collect(settings, key, sorted.open(), parentSink, finalName);
        if (settings.family() != null) {
          readFamilies(settings, sorted, out);
        }
        db.finish();
      }
      MessageDigest sha = Checksums.sha256();
      long bytes;
      try (WritableByteChannel ch = FileSystems.create(temp, settings.format().mimeType());
          OutputStream os = new DigestOutputStream(Channels.newOutputStream(ch), sha);
          InputStream in = Files.newInputStream(local)) {
        bytes = in.transferTo(os);
        os.flush();
      }
      String hex = Checksums.hex(sha);
      List<FamilyFile> family = new ArrayList<>();
      for (SqliteArchive.Table t : tables) {
        family.add(new FamilyFile(t.name(), finalName, t.rows(), bytes, hex));
      }
      return new ArchivedFile(
          key, parent.collectionIds(), finalName, parent.rowCount(), bytes, hex, parent.minTimeMillis(),
          parent.maxTimeMillis(), null, parent.rollupJson(), FamilyFile.toJson(family));
    } finally {
      Files.deleteIfExists(local);
    }
  }

  /**
   * Walks the partition's parents in file order, a chunk at a time, and hands each member's rows of
   * the chunk to its sink (member by member, in pre-order).
   */
  private static void readFamilies(
      WritePartitionFiles.FileSettings settings, PartitionFileWriter.SortedRows sorted, List<? extends SliceScanner.RowSink> out)
      throws IOException {
    Family family = settings.family();
    int n = settings.header().size();
    try (Family.Reader reader = family.open()) {
      List<String[]> chunk = new ArrayList<>(PARENTS_PER_READ);
      Iterator<byte[][]> it = sorted.open();
      while (it.hasNext()) {
        byte[] payload = it.next()[1];
        KeyByPartition.Payload p = KeyByPartition.Payload.decode(payload);
        chunk.add(Arrays.copyOf(CsvLines.fields(payload, p.lineOffset, payload.length, n), n - 1));
        if (chunk.size() == PARENTS_PER_READ) {
          read(reader, out, chunk);
          chunk.clear();
        }
      }
      read(reader, out, chunk);
    }
  }

  private static void read(Family.Reader reader, List<? extends SliceScanner.RowSink> out, List<String[]> chunk)
      throws IOException {
    for (int m = 0; chunk.size() > 0 && m < out.size(); m++) {
      reader.read(m, chunk, out.get(m));
    }
  }
}
