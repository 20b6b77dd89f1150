package org.beamarchiver.io.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beamarchiver.options.ArchiveStoreOptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 client builder is made on first use, once, and is then the project's own. */
class S3CompatibleClientFactoryTest {
  @Test
  void theBuilderIsMadeOnItsFirstUseOnly() {
    AtomicInteger made = new AtomicInteger();
    Supplier<CharSequence> make =
        () -> {
          made.incrementAndGet();
          return "ab";
        };
    CharSequence deferred = S3CompatibleClientFactory.deferred(CharSequence.class, make);
    assertEquals(0, made.get(), "nothing is made before the first call");
    assertEquals(2, deferred.length());
    assertEquals('b', deferred.charAt(1));
    assertEquals(1, made.get(), "made once");
    // The real builder's own exceptions reach the caller as they are.
    assertThrows(IndexOutOfBoundsException.class, () -> deferred.charAt(5));
  }

  @Test
  void theDeferredBuilderBuildsTheConfiguredClient() {
    PipelineOptionsFactory.register(ArchiveStoreOptions.class);
    S3Options o =
        PipelineOptionsFactory.fromArgs("--awsRegion=eu-west-3", "--endpoint=http://127.0.0.1:9", "--s3PathStyle=true")
            .as(S3Options.class);
    try (S3Client client = new S3CompatibleClientFactory().createBuilder(o).build()) {
      assertEquals(Region.EU_WEST_3, client.serviceClientConfiguration().region());
      assertTrue(
          client.serviceClientConfiguration().overrideConfiguration().executionInterceptors().stream()
              .anyMatch(i -> i instanceof S3CompatibleClientFactory.DropDefaultBucketKeyHeader));
      // Path-style: the bucket is in the path, not the host name.
      assertEquals(
          "http://127.0.0.1:9/bucket/key",
          client.utilities().getUrl(b -> b.bucket("bucket").key("key")).toString());
    }
  }
}
