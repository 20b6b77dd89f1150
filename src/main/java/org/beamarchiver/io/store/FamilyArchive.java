package org.beamarchiver.io.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.beamarchiver.io.source.Family;
import org.beamarchiver.model.ArchiveFormat;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.FamilyFile;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.retry.Outage;

/**
 * A partition's related tables' archives, fetched and verified as its parent file is (size,
 * SHA-256, columns, row counts against the ledger) and opened for reading beside it: the files
 * beside the parent's in CSV and Parquet, the tables inside its one file in SQLite. A partition
 * whose ledger row lists other tables than the spec's cascade is refused.
 */
public final class FamilyArchive implements AutoCloseable {
  private final List<ArchiveReader.VerifiedFile> files = new ArrayList<>();
  private final List<Iterator<SourceRow>> rows = new ArrayList<>();
  private final Family family;

  private FamilyArchive(Family family) {
    this.family = family;
  }

  /** The members' rows, for the deleter or the writer; null for a table archived alone. */
  public Family.Rows rows() {
    return family == null ? null : new Family.Rows(family, List.copyOf(rows));
  }

  /**
   * Opens every member of {@code family} for partition {@code p}, whose parent file {@code parent}
   * is already verified ({@code family} null: a table archived alone, whose partitions list none).
   */
  public static FamilyArchive open(
      ArchivedPartition p, ArchiveReader.VerifiedFile parent, Family family, Path localDir, Outage outage)
      throws IOException, ArchiveReader.VerificationException {
    if (family == null) {
      if (!p.family().isEmpty()) {
        throw new ArchiveReader.VerificationException(
            "the ledger lists related tables " + tables(p.family()) + " for this partition, but the table spec has no children");
      }
      return new FamilyArchive(null);
    }
    List<Family.Member> members = family.members();
    List<String> expected = members.stream().map(Family.Member::table).toList();
    if (!tables(p.family()).equals(expected)) {
      throw new ArchiveReader.VerificationException(
          "the ledger lists related tables " + tables(p.family()) + " for this partition, the table spec's cascade is "
              + expected + ": archived with another spec");
    }
    FamilyArchive a = new FamilyArchive(family);
    try {
      a.openMembers(p, parent, members, localDir, outage);
    } catch (IOException | ArchiveReader.VerificationException | RuntimeException e) {
      a.close();
      throw e;
    }
    return a;
  }

  private void openMembers(
      ArchivedPartition p, ArchiveReader.VerifiedFile parent, List<Family.Member> members, Path localDir, Outage outage)
      throws IOException, ArchiveReader.VerificationException {
    for (int i = 0; i < members.size(); i++) {
      FamilyFile f = p.family().get(i);
      Family.Member m = members.get(i);
      if (parent.format() == ArchiveFormat.SQLITE) {
        if (!f.path().equals(p.blobUrl()) || !f.sha256().equals(p.sha256())) {
          throw new ArchiveReader.VerificationException(
              "the ledger lists table " + f.table() + " in " + f.path() + ", not in the partition's SQLite file");
        }
        rows.add(parent.memberRows(f.table(), m.header(), f.rows()));
      } else {
        ArchivedPartition member =
            new ArchivedPartition(p.uuid(), p.partition(), f.path(), f.rows(), f.bytes(), f.sha256());
        ArchiveReader.VerifiedFile file;
        try {
          file = ArchiveReader.fetchVerified(member, m.header(), localDir, outage);
        } catch (ArchiveReader.VerificationException e) {
          throw new ArchiveReader.VerificationException("related table " + f.table() + " (" + f.path() + "): " + e.getMessage());
        }
        files.add(file);
        rows.add(file.rows());
      }
    }
  }

  private static List<String> tables(List<FamilyFile> files) {
    return files.stream().map(FamilyFile::table).toList();
  }

  @Override
  public void close() throws IOException {
    for (ArchiveReader.VerifiedFile f : files) {
      f.close();
    }
  }
}
