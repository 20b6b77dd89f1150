package org.beamarchiver.io.store;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import org.apache.beam.sdk.io.azure.options.BlobstoreClientBuilderFactory;
import org.apache.beam.sdk.io.azure.options.BlobstoreOptions;

/**
 * The Blob Storage client for {@code azfs://} roots: Beam's options, one credential at a time. Beam's
 * default factory adds {@code --azureCredentialsProvider} (a {@code DefaultAzureCredential} unless
 * set) to every client, also beside a connection string, SAS token or account key, and the SDK then
 * authenticates with the bearer token, which it refuses over plain HTTP (emulators, private
 * endpoints). Here a connection string, else an account name and key, else a SAS token is used when
 * given, and the token credential only when none is. The CLI makes this the default {@code
 * --blobstoreClientFactoryClass}.
 */
public final class AzureBlobClientFactory implements BlobstoreClientBuilderFactory {
  @Override
  public BlobServiceClientBuilder createBuilder(BlobstoreOptions o) {
    BlobServiceClientBuilder builder = new BlobServiceClientBuilder();
    if (present(o.getAzureConnectionString())) {
      builder.connectionString(o.getAzureConnectionString());
    } else if (present(o.getAccountName()) && present(o.getAccessKey())) {
      builder.credential(new StorageSharedKeyCredential(o.getAccountName(), o.getAccessKey()));
    } else if (present(o.getSasToken())) {
      builder.sasToken(o.getSasToken());
    } else if (o.getAzureCredentialsProvider() != null) {
      builder.credential(o.getAzureCredentialsProvider());
    }
    if (present(o.getBlobServiceEndpoint())) {
      builder.endpoint(o.getBlobServiceEndpoint());
    }
    if (o.getCustomerProvidedKey() != null) {
      builder.customerProvidedKey(o.getCustomerProvidedKey());
    }
    if (o.getPipelinePolicy() != null) {
      builder.addPolicy(o.getPipelinePolicy());
    }
    if (o.getHttpClient() != null) {
      builder.httpClient(o.getHttpClient());
    }
    if (o.getHttpPipeline() != null) {
      builder.pipeline(o.getHttpPipeline());
    }
    return builder;
  }

  private static boolean present(String s) {
    return s != null && !s.isEmpty();
  }
}
