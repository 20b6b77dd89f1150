package org.beamarchiver.io.store;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.Supplier;
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
 *
 * <p>Beam makes a filesystem for every scheme when a command starts, and the S3 client only on
 * first use; making the builder resolves the region, which outside AWS means asking the instance
 * metadata service and waiting for its timeout (measured: 0.8 s of every launch, also with a local
 * root). So the builder is made on first use too ({@link #deferred}).
 */
public final class S3CompatibleClientFactory implements S3ClientBuilderFactory {
  @Override
  public S3ClientBuilder createBuilder(S3Options options) {
    return deferred(S3ClientBuilder.class, () -> builder(options));
  }

  /**
   * A builder of type {@code type} that is made by {@code make} on its first method call (Beam's
   * {@code build()} when a client is first needed), once.
   */
  static <B> B deferred(Class<B> type, Supplier<B> make) {
    Object[] made = {null};
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              Object real;
              synchronized (made) {
                if (made[0] == null) {
                  made[0] = make.get();
                }
                real = made[0];
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }));
  }

  private static S3ClientBuilder builder(S3Options options) {
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
