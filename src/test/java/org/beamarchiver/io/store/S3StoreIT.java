package org.beamarchiver.io.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Session;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.TestServers;
import org.beamarchiver.support.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code s3://} end to end on a real S3-protocol server (S3Proxy on loopback, signatures checked):
 * archive, verify, delete and restore with the archive root in a bucket; a changed object is caught
 * by verify; nothing temporary is left in the bucket.
 */
class S3StoreIT {
  static final Instant AS_OF = AssessmentFixture.AS_OF;
  static final String BUCKET = "archives-it";

  static Cluster cluster;
  static Session session;
  static S3Client s3;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    cluster = TestServers.cluster();
    session = cluster.connect();
    s3 = TestServers.s3Client(URI.create(TestServers.s3Endpoint()));
    s3.createBucket(b -> b.bucket(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
    session.close();
    cluster.close();
  }

  static List<String> keys(String prefix) {
    return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream().map(S3Object::key).toList();
  }

  static String run(int expected, String command, List<String> args, String... extra) {
    return Cli.expect(expected, command, args, extra);
  }

  @Test
  void archiveVerifyDeleteAndRestoreWithTheRootInABucket() throws Exception {
    Path key = dir.resolve("key");
    Files.writeString(key, "s3-store-it signing key");
    AssessmentFixture f =
        AssessmentFixture.builder(session, dir).name("s3").keyspacePrefix("s3_it")
            .rows(1200).batches(4).weeks(3).deadLetters(2).seed(17L)
            .root("s3://" + BUCKET + "/root").signingKeyFile(key).options(TestServers.s3Options(TestServers.s3Endpoint()))
            .build();
    String ks = f.keyspace();
    List<String> args = f.options();
    long before = session.execute("SELECT count(*) FROM " + ks + ".assessment_aggregator").one().getLong(0);

    String archive = run(0, "archive", args);
    List<String> files = keys("root/archived-batches/assessment/");
    assertEquals(8, files.size(), "4 batches x 2 ended weeks: " + files + "\n" + archive);
    assertTrue(files.stream().allMatch(k -> k.endsWith(".csv.gz")), files.toString());
    assertEquals(1, keys("root/manifests/assessment/").size());
    assertEquals(1, keys("root/dead-letters/assessment/").size(), "2 rows without a time");
    assertEquals(List.of(), keys("root/_tmp/"), "nothing temporary left in the bucket");

    assertTrue(run(0, "verify", args).contains("8 OK"));
    run(0, "delete", args);
    long afterDelete = session.execute("SELECT count(*) FROM " + ks + ".assessment_aggregator").one().getLong(0);
    assertTrue(afterDelete < before / 2, afterDelete + " of " + before);
    run(0, "restore", args);
    assertEquals(before, session.execute("SELECT count(*) FROM " + ks + ".assessment_aggregator").one().getLong(0));

    // One object changed in the bucket (same size): verify names it.
    String victim = files.get(0);
    byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(victim)).asByteArray();
    bytes[bytes.length / 2] ^= 0x01;
    s3.putObject(b -> b.bucket(BUCKET).key(victim), RequestBody.fromBytes(bytes));
    String verify = run(6, "verify", args, "--problemsOnly=true");
    assertTrue(verify.contains("CHECKSUM_MISMATCH") && verify.contains(victim), verify);
  }
}
