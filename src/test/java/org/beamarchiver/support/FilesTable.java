package org.beamarchiver.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A files table in a test's folder: its location ({@code lake/}, dated by {@code dt=} folders),
 * its spec (archive type {@code logs}), the CLI arguments that reach it (every complete week as of
 * 2026-12-03, a local archive root, an H2 ledger, a signing key), and files of random bytes in it.
 */
public final class FilesTable {
  public final Path dir;
  public final Path lake;
  public final List<String> args;

  public FilesTable(Path dir, String key) throws IOException {
    this.dir = dir;
    this.lake = dir.resolve("lake");
    Path spec = dir.resolve("t.yaml");
    Files.writeString(spec, "archiveType: logs\nsource: {kind: files, location: '" + lake + "', partitionDate: 'dt={date}'}\n");
    Files.writeString(dir.resolve("k"), key + "\n");
    this.args =
        List.of(
            "--tableSpec=" + spec, "--period=ALL", "--asOf=2026-12-03T10:00:00Z", "--archiveRoot=" + dir.resolve("archive"),
            "--ledgerUrl=jdbc:h2:file:" + dir.resolve("ledger"), "--signingKeyFile=" + dir.resolve("k"));
  }

  /** A file of {@code bytes} random bytes (the same for the same name) at {@code relative} under the location. */
  public Path file(String relative, int bytes) throws IOException {
    Path p = lake.resolve(relative);
    Files.createDirectories(p.getParent());
    byte[] b = new byte[bytes];
    new Random(relative.hashCode()).nextBytes(b);
    Files.write(p, b);
    return p;
  }

  /** The arguments purge takes (no period: it chooses by age). */
  public List<String> purgeArgs() {
    return args.stream().filter(a -> !a.startsWith("--period=") && !a.startsWith("--asOf=")).toList();
  }

  /** Shuts the H2 ledger the commands left open in this JVM, before the folder is removed. */
  public void close() {
    H2Ledgers.shutdown("jdbc:h2:file:" + dir.resolve("ledger"));
  }
}
