package org.beamarchiver.io.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.beamarchiver.io.store.Checksums;
import org.beamarchiver.io.store.Stores;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Files copied byte for byte between any of Beam's file systems (local, S3, Azure), streamed
 * through a fixed buffer whatever their size, with their SHA-256 taken on the way. A copy goes to a
 * sibling name first and is renamed onto its own: a reader never sees half a file, and a try cut
 * short leaves at most a stray {@code .copying-} sibling. An outage of either store is ridden out
 * ({@code Stores.outage()}); each try copies from the start.
 */
public final class FileCopies {
  /** The copy buffer: what a copy holds in memory, whatever the file's size. */
  static final int BUFFER = 1 << 20;

  private FileCopies() {}

  /** The name a copy has while it is written: its own, then this and a random UUID. */
  private static final String SIBLING = ".copying-";

  private static final java.util.regex.Pattern PARTIAL =
      java.util.regex.Pattern.compile(".*" + java.util.regex.Pattern.quote(SIBLING) + "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

  /**
   * Whether {@code name} is a copy's sibling left by a run killed while it copied (the rename onto
   * its own name never happened): never a file of a table, removed where the archiver finds it.
   */
  public static boolean isPartialCopy(String name) {
    return PARTIAL.matcher(name).matches();
  }

  /** Removes the partial copies a killed run left under {@code folder}; returns how many. */
  public static int removePartialCopies(String folder) throws IOException {
    MatchResult m = Stores.match(folder + "/**");
    if (m.status() != MatchResult.Status.OK) {
      return 0;
    }
    List<ResourceId> partial = new java.util.ArrayList<>();
    for (MatchResult.Metadata md : m.metadata()) {
      if (isPartialCopy(md.resourceId().toString())) {
        partial.add(md.resourceId());
      }
    }
    if (!partial.isEmpty()) {
      Stores.delete(partial);
    }
    return partial.size();
  }

  /** What was copied or read: its bytes and their SHA-256 (lower-case hex). */
  public record Copied(long bytes, String sha256) {}

  /** Copies {@code from} onto {@code to} (replacing what is there) and returns what it copied. */
  public static Copied copy(String from, String to) throws IOException {
    return copy(from, to, null);
  }

  /**
   * Copies {@code from} onto {@code to} only if the bytes read are {@code expected} (size and
   * SHA-256): otherwise nothing lands at {@code to} (the sibling is removed) and the result is
   * false. A recycled or restored file is thus never seen with other bytes than its archive's.
   */
  public static boolean copyIfMatches(String from, String to, Copied expected) throws IOException {
    return copy(from, to, expected) != null;
  }

  private static Copied copy(String from, String to, Copied expected) throws IOException {
    return Stores.outage().call(
        "copy " + from + " to " + to,
        () -> {
          ResourceId target = FileSystems.matchNewResource(to, false);
          ResourceId sibling = FileSystems.matchNewResource(to + SIBLING + UUID.randomUUID(), false);
          MessageDigest digest = Checksums.sha256();
          long bytes;
          try {
            try (InputStream in =
                    new DigestInputStream(
                        Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(from, false))), digest);
                OutputStream out = Channels.newOutputStream(FileSystems.create(sibling, "application/octet-stream"))) {
              bytes = transfer(in, out);
            }
            if (expected != null && !expected.equals(new Copied(bytes, Checksums.hex(digest)))) {
              FileSystems.delete(List.of(sibling), StandardMoveOptions.IGNORE_MISSING_FILES);
              return null;
            }
            FileSystems.rename(List.of(sibling), List.of(target));
          } catch (IOException | RuntimeException e) {
            try {
              FileSystems.delete(List.of(sibling), StandardMoveOptions.IGNORE_MISSING_FILES);
            } catch (IOException | RuntimeException cleanup) {
              e.addSuppressed(cleanup);
            }
            throw e;
          }
          return new Copied(bytes, Checksums.hex(digest));
        });
  }

  /** The bytes and SHA-256 of the file at {@code path}, read through once. */
  public static Copied read(String path) throws IOException {
    return Stores.outage().call(
        "read " + path,
        () -> {
          MessageDigest digest = Checksums.sha256();
          try (InputStream in =
              new DigestInputStream(Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false))), digest)) {
            return new Copied(transfer(in, OutputStream.nullOutputStream()), Checksums.hex(digest));
          }
        });
  }

  private static long transfer(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[BUFFER];
    long total = 0;
    for (int n; (n = in.read(buffer)) != -1; ) {
      out.write(buffer, 0, n);
      total += n;
    }
    return total;
  }
}
