package org.beamarchiver.integrity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
  @TempDir Path dir;

  private static final String SECRET = "correct horse battery staple 42";

  private SigningKey key(String text) {
    return SigningKey.resolve(null, Map.of(SigningKey.ENV, text), dir.resolve("none"), false, n -> {});
  }

  private Manifest manifest(SigningKey key) {
    return Manifest.sign(
        key, "run-1", "assessment", "ks.t", "2026-01-01T00:00:00Z", List.of("a", "b"), List.of("text", "double"),
        List.of(
            new Manifest.Entry("/x/b1-2021-01-1.csv.gz", "b1", "2021-W01", 100, "ab".repeat(32), 7, "2021-01-04T00:00:00Z",
                "2021-01-05T00:00:00Z", Map.of("rows", 7, "numeric", Map.of("b", Map.of("mean", 1.25)))),
            new Manifest.Entry("/x/b2-2021-01-1.csv.gz", "b2", "2021-W01", 200, "cd".repeat(32), 9, null, null, null)));
  }

  @Test
  void signedManifestVerifiesAfterWritingAndReindentingButNotAfterAnyChange() throws Exception {
    SigningKey k = key(SECRET);
    Path file = dir.resolve("m.manifest.json");
    manifest(k).write(file.toString());
    Manifest read = Manifest.read(file.toString());
    assertTrue(read.verifies(k));
    assertEquals(Set.of("/x/b1-2021-01-1.csv.gz", "/x/b2-2021-01-1.csv.gz"), read.files().keySet());
    assertEquals(7, read.files().get("/x/b1-2021-01-1.csv.gz").rows());

    String text = Files.readString(file);
    Files.writeString(file, text.replace("\n", "\n    "));
    assertTrue(Manifest.read(file.toString()).verifies(k), "whitespace is not content");

    List<String> tampered = new ArrayList<>();
    tampered.add(text.replaceFirst("\"rows\" : 7", "\"rows\" : 8"));
    tampered.add(text.replaceFirst("\"rows\" : 7", "\"rows\" : 7.0"));
    tampered.add(text.replace("\"bytes\" : 200", "\"bytes\" : 201"));
    tampered.add(text.replace("ab".repeat(32), "ab".repeat(31) + "ac"));
    tampered.add(text.replace("1.25", "1.26"));
    tampered.add(text.replace("\"period\" : \"2021-W01\"", "\"period\" : \"2021-W02\""));
    for (String t : tampered) {
      assertFalse(t.equals(text), "the tampering changed nothing");
      Files.writeString(file, t);
      assertFalse(Manifest.read(file.toString()).verifies(k), t);
    }
    Matcher sig = Pattern.compile("\"signature\" : \"([0-9a-f]{64})\"").matcher(text);
    assertTrue(sig.find());
    Files.writeString(file, text.replace(sig.group(1), "0".repeat(64)));
    assertFalse(Manifest.read(file.toString()).verifies(k));
  }

  @Test
  void aWrongKeyFailsAndTheKeyNeverAppearsInTheManifest() throws Exception {
    SigningKey k = key(SECRET);
    Manifest m = manifest(k);
    assertFalse(m.verifies(key(SECRET + "x")));
    String text = new String(m.bytes(), StandardCharsets.UTF_8);
    assertFalse(text.contains(SECRET));
    assertTrue(text.contains("\"keyId\" : \"" + k.id() + "\""));
    assertFalse(k.toString().contains(SECRET));
  }

  @Test
  void keysComeFromTheFileOptionThenTheEnvironmentThenTheDefaultFileCreatedOnlyWhenAsked() throws Exception {
    Path file = dir.resolve("k");
    Files.writeString(file, "file key, long enough\n");
    SigningKey fromFile = SigningKey.resolve(file.toString(), Map.of(SigningKey.ENV, SECRET), dir.resolve("d"), false, n -> {});
    assertEquals(SigningKey.idOf("file key, long enough".getBytes(StandardCharsets.UTF_8)), fromFile.id());
    assertEquals(key(SECRET).id(), SigningKey.resolve(null, Map.of(SigningKey.ENV, SECRET), dir.resolve("d"), false, n -> {}).id());

    Path dflt = dir.resolve("home/.beam-archiver/signing.key");
    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class, () -> SigningKey.resolve(null, Map.of(), dflt, false, n -> {}));
    assertTrue(none.getMessage().contains("--signingKeyFile") && none.getMessage().contains(SigningKey.ENV), none.getMessage());
    List<String> notes = new ArrayList<>();
    SigningKey created = SigningKey.resolve(null, Map.of(), dflt, true, notes::add);
    assertTrue(Files.isRegularFile(dflt));
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dflt)));
    assertTrue(notes.get(0).contains(created.id()));
    assertFalse(notes.get(0).contains(Files.readString(dflt).strip()), "the note names the key's id, not the key");
    assertEquals(created.id(), SigningKey.resolve(null, Map.of(), dflt, false, n -> {}).id(), "created once, then read");

    Files.writeString(file, "short");
    IllegalArgumentException shortKey =
        assertThrows(IllegalArgumentException.class, () -> SigningKey.resolve(file.toString(), Map.of(), dflt, false, n -> {}));
    assertTrue(shortKey.getMessage().contains("at least 16"), shortKey.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SigningKey.resolve(dir.resolve("missing").toString(), Map.of(), dflt, false, n -> {}));
  }
}
