package org.beamarchiver.io.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/** Small helpers over Beam's FileSystems, for local paths and object-store URIs alike. */
public final class Stores {
  /** A URI with a scheme ({@code s3://}, {@code gs://}, {@code file://}...), as opposed to a local path. */
  private static final java.util.regex.Pattern URI = java.util.regex.Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");

  private Stores() {}

  /** A local root becomes absolute (workers may run elsewhere); URIs stay as given. */
  public static String normalizeRoot(String root) {
    if (root == null || root.isBlank()) {
      throw new IllegalArgumentException("--archiveRoot must be a local path or a filesystem URI");
    }
    if (URI.matcher(root).matches()) {
      return ArchivePaths.root(root);
    }
    return Paths.get(root).toAbsolutePath().normalize().toString();
  }

  /**
   * What is at exactly {@code path} (no glob expansion). Beam's local match of a path that does
   * not exist treats it as a pattern and walks its parent folder (the whole disk for {@code /x}, a
   * type's whole archive folder for a missing archive), so a local path is checked first.
   */
  public static MatchResult matchExact(String path) throws IOException {
    if (isLocal(path)) {
      Path p = Paths.get(path.startsWith("file://") ? path.substring("file://".length()) : path);
      if (!Files.isRegularFile(p)) {
        return MatchResult.create(MatchResult.Status.NOT_FOUND, new java.io.FileNotFoundException(path));
      }
    }
    return FileSystems.match(List.of(path)).get(0);
  }

  public static boolean isLocal(String path) {
    return !URI.matcher(path).matches() || path.startsWith("file://");
  }

  /**
   * Writes a small object whole, replacing what the path holds. Through one closeable: an object
   * store's channel closed twice completes its upload twice (S3 answers the second with
   * NoSuchUpload). In an object store the bytes go to a sibling name first and are renamed over the
   * path: Beam's Azure filesystem refuses to create over an existing blob (a run file gains an
   * execution), and a reader never sees half an object.
   */
  public static void write(String path, String mimeType, byte[] bytes) throws IOException {
    String target = isLocal(path) ? path : path + ".writing-" + java.util.UUID.randomUUID();
    try (java.io.OutputStream out =
        java.nio.channels.Channels.newOutputStream(FileSystems.create(FileSystems.matchNewResource(target, false), mimeType))) {
      out.write(bytes);
    }
    if (!target.equals(path)) {
      FileSystems.rename(
          java.util.List.of(FileSystems.matchNewResource(target, false)),
          java.util.List.of(FileSystems.matchNewResource(path, false)));
    }
  }

  /** Removes a run's temporary folder and what a failed write may have left in it. */
  public static void deleteTempDir(String dir) throws IOException {
    if (isLocal(dir)) {
      Path p = Paths.get(dir.startsWith("file://") ? dir.substring(7) : dir);
      if (Files.exists(p)) {
        try (Stream<Path> walk = Files.walk(p)) {
          for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(q);
          }
        }
      }
      Path parent = p.getParent();
      if (parent != null && Files.isDirectory(parent)) {
        try (Stream<Path> left = Files.list(parent)) {
          if (left.findAny().isEmpty()) {
            Files.deleteIfExists(parent);
          }
        }
      }
      return;
    }
    MatchResult m = FileSystems.match(dir + "**");
    List<ResourceId> ids = new ArrayList<>();
    if (m.status() == MatchResult.Status.OK) {
      for (MatchResult.Metadata md : m.metadata()) {
        ids.add(md.resourceId());
      }
    }
    if (!ids.isEmpty()) {
      FileSystems.delete(ids, StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }
}
