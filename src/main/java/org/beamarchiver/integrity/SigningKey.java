package org.beamarchiver.integrity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.beamarchiver.options.SigningOptions;

/**
 * The HMAC-SHA-256 key that signs run manifests. It comes from {@code --signingKeyFile}, else the
 * environment variable {@value #ENV}, else {@code ~/.beam-archiver/signing.key}, which the first
 * archive creates (random, readable by its owner only). Its bytes never leave this class: {@link
 * #toString} and every message name only its {@link #id} (a hash prefix) and where it came from.
 */
public final class SigningKey {
  public static final String ENV = "BEAM_ARCHIVER_SIGNING_KEY";
  static final int MIN_BYTES = 16;

  private final byte[] key;
  private final String source;
  private final String id;

  private SigningKey(byte[] key, String source) {
    if (key.length < MIN_BYTES) {
      throw new IllegalArgumentException(
          "the signing key from " + source + " is " + key.length + " bytes; at least " + MIN_BYTES + " are needed");
    }
    this.key = key.clone();
    this.source = source;
    this.id = idOf(key);
  }

  /** The default key file: {@code ~/.beam-archiver/signing.key}. */
  public static Path defaultFile() {
    return Paths.get(System.getProperty("user.home"), ".beam-archiver", "signing.key");
  }

  /**
   * The key for a run. {@code create}: an archive creates the default key file when no key is
   * configured anywhere; the other commands need an existing key (a new one verifies nothing).
   */
  public static SigningKey resolve(SigningOptions options, boolean create, Consumer<String> notes) {
    return resolve(options.getSigningKeyFile(), System.getenv(), defaultFile(), create, notes);
  }

  static SigningKey resolve(
      String keyFile, Map<String, String> env, Path defaultFile, boolean create, Consumer<String> notes) {
    if (keyFile != null && !keyFile.isEmpty()) {
      Path p = Paths.get(keyFile);
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException("--signingKeyFile=" + keyFile + ": no such file");
      }
      return new SigningKey(read(p), "--signingKeyFile " + keyFile);
    }
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new SigningKey(fromEnv.strip().getBytes(StandardCharsets.UTF_8), "the environment variable " + ENV);
    }
    if (Files.isRegularFile(defaultFile)) {
      return new SigningKey(read(defaultFile), defaultFile.toString());
    }
    if (!create) {
      throw new IllegalArgumentException(
          "no manifest signing key: give --signingKeyFile=<file> or set " + ENV + " (the key the archives were"
              + " signed with; " + defaultFile + " does not exist)");
    }
    try {
      Files.createDirectories(defaultFile.getParent());
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      Path tmp = Files.createTempFile(defaultFile.getParent(), "signing", ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the folder's own permissions apply
      }
      Files.writeString(tmp, HexFormat.of().formatHex(random) + "\n");
      try {
        Files.move(tmp, defaultFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        Files.deleteIfExists(tmp);
        if (!Files.isRegularFile(defaultFile)) {
          throw e;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the signing key " + defaultFile, e);
    }
    SigningKey k = new SigningKey(read(defaultFile), defaultFile.toString());
    notes.accept(
        "created a new manifest signing key " + k.id() + " in " + defaultFile + " (keep it: verify, delete and"
            + " restore check signatures with it; give it to other machines with --signingKeyFile or " + ENV + ")");
    return k;
  }

  private static byte[] read(Path p) {
    try {
      return Files.readString(p).strip().getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the signing key file " + p, e);
    }
  }

  /** The key's public name: 16 hex digits of a hash of it. */
  public String id() {
    return id;
  }

  public String source() {
    return source;
  }

  static String idOf(byte[] key) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update("beam-archiver signing key id\u0000".getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d.digest(key), 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Lower-case hex HMAC-SHA-256 of {@code data}. */
  public String sign(byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code signature} is this key's signature of {@code data} (constant time). */
  public boolean verifies(byte[] data, String signature) {
    if (signature == null) {
      return false;
    }
    return MessageDigest.isEqual(
        sign(data).getBytes(StandardCharsets.US_ASCII), signature.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public String toString() {
    return "signing key " + id + " (from " + source + ")";
  }
}
