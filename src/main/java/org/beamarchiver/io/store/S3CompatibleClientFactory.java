package org.beamarchiver.io.store;

import org.apache.beam.sdk.io.aws2.common.ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.beamarchiver.options.ArchiveStoreOptions;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;

/**
 * The S3 client for {@code s3://} roots: Beam's own (credentials, region, {@code --endpoint}, HTTP
 * settings), plus path-style addressing when {@code --s3PathStyle}, and without the {@code
 * x-amz-server-side-encryption-bucket-key-enabled: false} header Beam puts on every upload: "false"
 * is S3's default, and S3-compatible servers that do not know the header refuse the upload. The CLI
 * makes this the default {@code --s3ClientFactoryClass}.
 */
public final class S3CompatibleClientFactory implements S3ClientBuilderFactory {
  @Override
  public S3ClientBuilder createBuilder(S3Options options) {
    S3ClientBuilder builder = ClientBuilderFactory.getFactory(options).create(S3Client.builder(), options);
    if (Boolean.TRUE.equals(options.as(ArchiveStoreOptions.class).getS3PathStyle())) {
      builder.forcePathStyle(true);
    }
    // Added to Beam's own override configuration, not in place of it.
    return builder.overrideConfiguration(
        builder.overrideConfiguration().toBuilder().addExecutionInterceptor(new DropDefaultBucketKeyHeader()).build());
  }

  /** Leaves the bucket-key flag out of multipart upload starts when it only restates the default. */
  static final class DropDefaultBucketKeyHeader implements ExecutionInterceptor {
    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
      if (context.request() instanceof CreateMultipartUploadRequest r && Boolean.FALSE.equals(r.bucketKeyEnabled())) {
        return r.toBuilder().bucketKeyEnabled((Boolean) null).build();
      }
      return context.request();
    }
  }
}
