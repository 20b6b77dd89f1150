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
import org.beamarchiver.options.OutageOptions;
import org.beamarchiver.retry.Outage;

/**
 * Small helpers over Beam's FileSystems, for local paths and object-store URIs alike. Each rides
 * out an object store that is unreachable or answers "later" for up to the process's {@link
 * #outage()} (set by the command from {@code --maxOutageSeconds}, beside Beam's own {@code
 * FileSystems.setDefaultPipelineOptions}); a lookup that fails is never taken for "not there".
 */
public final class Stores {
  /** A URI with a scheme ({@code s3://}, {@code gs://}, {@code file://}...), as opposed to a local path. */
  private static final java.util.regex.Pattern URI = java.util.regex.Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");

  private static volatile Outage outage = new Outage(Outage.DEFAULT);

  private Stores() {}

  /**
   * Beam's filesystems for these options (credentials, endpoints: {@code
   * FileSystems.setDefaultPipelineOptions}), and the outage this process's store operations ride
   * out ({@code --maxOutageSeconds}).
   */
  public static void configure(org.apache.beam.sdk.options.PipelineOptions options) {
    FileSystems.setDefaultPipelineOptions(options);
    setOutage(Outage.ofSeconds(options.as(OutageOptions.class).getMaxOutageSeconds()));
  }

  /** How long this process's store operations ride out an outage (workers: from their settings). */
  public static void setOutage(Outage o) {
    outage = o;
  }

  public static Outage outage() {
    return outage;
  }

  /**
   * Beam's match of one spec, with an ERROR (the store unreachable, a 5xx) ridden out and, past the
   * budget, thrown: the result is OK or NOT_FOUND, never a failure mistaken for an empty listing.
   */
  public static MatchResult match(String spec) throws IOException {
    return outage.call(
        "look up " + spec,
        () -> {
          MatchResult m = FileSystems.match(List.of(spec)).get(0);
          if (m.status() == MatchResult.Status.ERROR) {
            m.metadata(); // throws the lookup's own IOException
            throw new IOException("cannot look up " + spec);
          }
          return m;
        });
  }

  /** The bytes of a small object, read whole (a manifest, a run file), riding out an outage. */
  public static byte[] readAll(String path) throws IOException {
    return outage.call(
        "read " + path,
        () -> {
          try (java.io.InputStream in =
              java.nio.channels.Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false)))) {
            return in.readAllBytes();
          }
        });
  }

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
    return match(path);
  }

  /** The lines of the text object at {@code path} (UTF-8), read again from the start if the store fails part way. */
  public static List<String> readLines(String path) throws IOException {
    return outage.call(
        "read " + path,
        () -> {
          List<String> lines = new ArrayList<>();
          try (java.io.BufferedReader r =
              new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      java.nio.channels.Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false))),
                      java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
              lines.add(line);
            }
          }
          return lines;
        });
  }

  /** What is at exactly {@code path} ({@link #matchExact}): its metadata, or null when nothing is. */
  public static MatchResult.Metadata stat(String path) throws IOException {
    MatchResult m = matchExact(path);
    return m.status() == MatchResult.Status.OK && !m.metadata().isEmpty() ? m.metadata().get(0) : null;
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
    outage.run(
        "write " + path,
        () -> {
          // A sibling of its own per try: a failed try leaves at most a stray ".writing-" object.
          String target = isLocal(path) ? path : path + ".writing-" + java.util.UUID.randomUUID();
          try (java.io.OutputStream out =
              java.nio.channels.Channels.newOutputStream(
                  FileSystems.create(FileSystems.matchNewResource(target, false), mimeType))) {
            out.write(bytes);
          }
          if (!target.equals(path)) {
            FileSystems.rename(
                java.util.List.of(FileSystems.matchNewResource(target, false)),
                java.util.List.of(FileSystems.matchNewResource(path, false)));
          }
          return null;
        });
  }

  /**
   * Removes a folder ({@code dir} ends with '/') and everything in it: a run's temporary folder
   * and what a failed write may have left in it, a files partition's copies; a local parent left
   * empty goes too. Returns how many files (objects) it removed.
   */
  public static int deleteFolder(String dir) throws IOException {
    int removed = 0;
    if (isLocal(dir)) {
      Path p = Paths.get(dir.startsWith("file://") ? dir.substring(7) : dir);
      if (Files.exists(p)) {
        try (Stream<Path> walk = Files.walk(p)) {
          for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
            boolean file = Files.isRegularFile(q);
            if (Files.deleteIfExists(q) && file) {
              removed++;
            }
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
      return removed;
    }
    MatchResult m = match(dir + "**");
    List<ResourceId> ids = new ArrayList<>();
    if (m.status() == MatchResult.Status.OK) {
      for (MatchResult.Metadata md : m.metadata()) {
        ids.add(md.resourceId());
      }
    }
    if (!ids.isEmpty()) {
      outage.run(
          "remove " + dir,
          () -> {
            FileSystems.delete(ids, StandardMoveOptions.IGNORE_MISSING_FILES);
            return null;
          });
    }
    return ids.size();
  }

  /** Removes objects (missing ones are fine), riding out an outage. */
  public static void delete(List<ResourceId> ids) throws IOException {
    outage.run(
        "remove " + (ids.size() == 1 ? ids.get(0) : ids.size() + " objects"),
        () -> {
          FileSystems.delete(ids, StandardMoveOptions.IGNORE_MISSING_FILES);
          return null;
        });
  }

  /**
   * Removes an archive object that is no longer recorded (superseded, or left by a failed write),
   * and, for a files partition's file list, its folder of copies first; missing ones are fine.
   */
  public static void deleteArchived(String url) throws IOException {
    String folder = ArchivePaths.companionFolder(url);
    if (folder != null) {
      deleteFolder(folder + "/");
    }
    delete(List.of(FileSystems.matchNewResource(url, false)));
    deleteMembers(url);
  }

  /** The files of a cascade's related tables beside archive {@code url} ({@link ArchivePaths#memberFile}). */
  private static void deleteMembers(String url) throws IOException {
    org.beamarchiver.model.ArchiveFormat format = org.beamarchiver.model.ArchiveFormat.ofObject(url).orElse(null);
    if (format == null || format == org.beamarchiver.model.ArchiveFormat.SQLITE) {
      return; // not an archive, or one that holds its members
    }
    String base = url.substring(0, url.length() - format.suffix().length());
    String name = url.substring(url.lastIndexOf('/') + 1);
    MatchResult m = match(base + ".*" + format.suffix()); // names hold no glob characters (ArchivePaths.escape)
    if (m.status() != MatchResult.Status.OK) {
      return;
    }
    List<ResourceId> members = new java.util.ArrayList<>();
    for (MatchResult.Metadata md : m.metadata()) {
      String path = md.resourceId().toString();
      if (name.equals(ArchivePaths.parentOfMember(path.substring(path.lastIndexOf('/') + 1)))) {
        members.add(md.resourceId());
      }
    }
    if (!members.isEmpty()) {
      delete(members);
    }
  }

  /** Renames objects (an object store copies then deletes), riding out an outage. */
  public static void rename(ResourceId from, ResourceId to) throws IOException {
    outage.run(
        "rename " + from + " to " + to,
        () -> {
          if (!isLocal(to.toString()) && matchExact(from.toString()).status() == MatchResult.Status.NOT_FOUND
              && matchExact(to.toString()).status() == MatchResult.Status.OK) {
            return null; // an earlier try did it, and only its answer was lost
          }
          FileSystems.rename(List.of(from), List.of(to));
          return null;
        });
  }
}
