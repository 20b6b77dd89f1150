package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.beamarchiver.support.Cli;
import org.beamarchiver.support.H2Ledgers;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A files table in one bucket archived into another, on a real S3-protocol server (S3Proxy): the
 * copies byte-identical under their keys (spaces, non-ASCII), a key with a '..' segment refused as
 * a dead letter and left alone, verify reading every copy, a rerun copying nothing, and a late
 * object archived as its week's next iteration.
 */
class FileArchiveS3IT {
  static S3Client s3;
  @TempDir static Path dir;

  @BeforeAll
  static void buckets() {
    s3 = TestServers.s3Client(URI.create(TestServers.s3Endpoint()));
    s3.createBucket(b -> b.bucket("files-lake"));
    s3.createBucket(b -> b.bucket("files-archive"));
  }

  @AfterAll
  static void close() {
    H2Ledgers.shutdown("jdbc:h2:file:" + dir.resolve("ledger"));
    s3.close();
  }

  private static byte[] put(String key, int bytes) {
    byte[] b = new byte[bytes];
    new Random(key.hashCode()).nextBytes(b);
    s3.putObject(r -> r.bucket("files-lake").key(key), RequestBody.fromBytes(b));
    return b;
  }

  private static List<String> keys(String bucket, String prefix) {
    return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key).sorted().toList();
  }

  private static byte[] copyOf(String relative) {
    List<String> found =
        keys("files-archive", "root/archived-files/events/").stream().filter(k -> k.endsWith("/" + relative)).toList();
    assertEquals(1, found.size(), relative + ": " + found);
    return s3.getObjectAsBytes(b -> b.bucket("files-archive").key(found.get(0))).asByteArray();
  }

  @Test
  void filesInABucketAreArchivedIntoAnother() throws Exception {
    byte[] a = put("events/dt=2026-11-02/part 0.bin", 2_000_000);
    byte[] b = put("events/dt=2026-11-10/ü x.csv", 10);
    put("events/dt=2026-11-10/../escape.bin", 10);
    put("events/dt=2026-11-30/current.bin", 10);
    Path spec = dir.resolve("events.yaml");
    Files.writeString(spec, "archiveType: events\nsource: {kind: files, location: 's3://files-lake/events', partitionDate: 'dt={date}'}\n");
    Path key = dir.resolve("signing.key");
    Files.writeString(key, "file-archive-s3-it key, long enough\n");
    List<String> args = new ArrayList<>(List.of(
        "--tableSpec=" + spec, "--period=ALL", "--asOf=2026-12-03T10:00:00Z", "--archiveRoot=s3://files-archive/root",
        "--ledgerUrl=jdbc:h2:file:" + dir.resolve("ledger"), "--signingKeyFile=" + key));
    args.addAll(TestServers.s3Options(TestServers.s3Endpoint()));

    String out = Cli.expect(0, "archive", args);
    assertTrue(out.contains("2 written, 0 failed"), out);
    assertTrue(out.contains("2 copied (2000010 bytes)") && out.contains("1 dead letters"), out);
    assertArrayEquals(a, copyOf("dt=2026-11-02/part 0.bin"));
    assertArrayEquals(b, copyOf("dt=2026-11-10/ü x.csv"));
    assertTrue(keys("files-archive", "root/archived-files/").stream().noneMatch(k -> k.contains("escape") || k.contains("current")));
    assertTrue(keys("files-archive", "root/archived-files/").stream().noneMatch(k -> k.contains(".copying-") || k.contains("writing-")));
    assertTrue(Cli.expect(0, "verify", args).contains("checked: 2 OK"));
    assertTrue(Cli.expect(0, "archive", args).contains("0 copied (0 bytes)"));

    put("events/dt=2026-11-11/late.bin", 5);
    out = Cli.expect(0, "archive", args);
    assertTrue(out.contains("1 written, 0 failed, 1 already archived and unchanged"), out);
    assertEquals(1, keys("files-archive", "root/archived-files/events/files-2026-46-").stream().filter(k -> k.endsWith(".files.csv.gz")).count());
    assertTrue(Cli.expect(0, "verify", args).contains("checked: 2 OK"));
    // the source bucket is as it was, the refused key included
    assertEquals(5, keys("files-lake", "events/").size());

    // delete through a recycle bin in a third bucket, restore from it, then purge it
    s3.createBucket(r -> r.bucket("files-recycle"));
    List<String> recycling = new ArrayList<>(args);
    recycling.add("--recycleRoot=s3://files-recycle/bin");
    out = Cli.expect(0, "delete", recycling);
    assertTrue(out.contains("files: 3 deleted, 0 skipped as changed, 0 absent"), out);
    // left: the current week's object and the refused one (S3Proxy's file store keeps it as events/escape.bin)
    List<String> left = keys("files-lake", "events/");
    assertEquals(2, left.size(), left.toString());
    assertTrue(left.contains("events/dt=2026-11-30/current.bin") && left.stream().anyMatch(k -> k.endsWith("escape.bin")), left.toString());
    List<String> inBin = keys("files-recycle", "bin/");
    assertEquals(3, inBin.size(), inBin.toString());
    assertTrue(inBin.stream().allMatch(k -> k.startsWith("bin/events/files-2026-")), inBin.toString());
    out = Cli.expect(0, "restore", args);
    assertTrue(out.contains("files written: 3"), out);
    assertTrue(out.contains("1 from the recycle bin"), out);
    assertArrayEquals(a, s3.getObjectAsBytes(r -> r.bucket("files-lake").key("events/dt=2026-11-02/part 0.bin")).asByteArray());
    assertArrayEquals(b, s3.getObjectAsBytes(r -> r.bucket("files-lake").key("events/dt=2026-11-10/ü x.csv")).asByteArray());
    List<String> purge = recycling.stream().filter(x -> !x.startsWith("--period=") && !x.startsWith("--asOf=") && !x.startsWith("--recycleRoot=")).toList();
    out = Cli.expect(0, "purge", purge, "--olderThanDays=0");
    assertTrue(out.contains("folders: 2, 0 FAILED; files removed: 3"), out);
    assertEquals(List.of(), keys("files-recycle", "bin/"));
    assertTrue(Cli.expect(0, "restore", args).contains("files written: 0"), "a second restore writes nothing");
  }
}
