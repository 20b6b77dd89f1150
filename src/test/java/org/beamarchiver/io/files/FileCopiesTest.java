package org.beamarchiver.io.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copies are byte-identical, their checksum the bytes' own, and no half copy is ever visible. */
class FileCopiesTest {
  @TempDir Path dir;

  @Test
  void aCopyIsByteIdenticalAndItsChecksumIsTheFilesOwn() throws Exception {
    Path from = dir.resolve("src/dt=2026-11-09/a b é.bin");
    Files.createDirectories(from.getParent());
    // larger than the copy buffer, and not a multiple of it
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    Random random = new Random(19);
    try (OutputStream out = Files.newOutputStream(from)) {
      byte[] chunk = new byte[65_537];
      for (int i = 0; i < 50; i++) {
        random.nextBytes(chunk);
        out.write(chunk);
        sha.update(chunk);
      }
    }
    String expected = HexFormat.of().formatHex(sha.digest());
    Path to = dir.resolve("archive/events/dt=2026-11-09/a b é.bin");
    FileCopies.Copied c = FileCopies.copy(from.toString(), to.toString());
    assertEquals(new FileCopies.Copied(50L * 65_537, expected), c);
    assertArrayEquals(Files.readAllBytes(from), Files.readAllBytes(to));
    assertEquals(c, FileCopies.read(to.toString()));
    // copied again over itself: the same, and no sibling left behind
    assertEquals(c, FileCopies.copy(from.toString(), to.toString()));
    try (Stream<Path> s = Files.list(to.getParent())) {
      assertEquals(List.of(to), s.toList());
    }
  }

  @Test
  void anEmptyFileCopiesToAnEmptyFile() throws Exception {
    Path from = Files.createFile(dir.resolve("empty"));
    FileCopies.Copied c = FileCopies.copy(from.toString(), dir.resolve("copy/empty").toString());
    assertEquals(new FileCopies.Copied(0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), c);
  }

  @Test
  void aMissingSourceFailsAndLeavesNothing() throws Exception {
    Path to = dir.resolve("copy/x");
    org.beamarchiver.retry.Outage before = org.beamarchiver.io.store.Stores.outage();
    org.beamarchiver.io.store.Stores.setOutage(org.beamarchiver.retry.Outage.ofSeconds(0));
    try {
      assertThrows(IOException.class, () -> FileCopies.copy(dir.resolve("nope").toString(), to.toString()));
    } finally {
      org.beamarchiver.io.store.Stores.setOutage(before);
    }
    assertEquals(false, Files.exists(to));
    if (Files.exists(to.getParent())) {
      try (Stream<Path> s = Files.list(to.getParent())) {
        assertEquals(List.of(), s.toList());
      }
    }
  }
}
