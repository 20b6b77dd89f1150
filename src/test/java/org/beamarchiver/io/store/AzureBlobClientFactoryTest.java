package org.beamarchiver.io.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.azure.blobstore.DefaultBlobstoreClientBuilderFactory;
import org.apache.beam.sdk.io.azure.options.BlobstoreOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beamarchiver.model.ArchiveFormat;
import org.beamarchiver.model.PartitionKey;
import org.junit.jupiter.api.Test;

/** azfs:// roots: the filesystem is registered, and a client uses one credential at a time. */
class AzureBlobClientFactoryTest {
  /** The storage emulator's well-known development account, over plain HTTP on loopback. */
  static final String EMULATOR =
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
          + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
          + "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

  private static BlobstoreOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(BlobstoreOptions.class);
  }

  @Test
  void aConnectionStringIsUsedAloneEvenBesideTheDefaultTokenCredential() {
    BlobstoreOptions o = options("--azureConnectionString=" + EMULATOR);
    // Beam's factory adds the DefaultAzureCredential too, and the SDK refuses a bearer token over HTTP
    RuntimeException e =
        assertThrows(
            IllegalArgumentException.class, () -> new DefaultBlobstoreClientBuilderFactory().createBuilder(o).buildClient());
    assertTrue(e.getMessage().contains("requires https"), e.getMessage());
    assertEquals("devstoreaccount1", new AzureBlobClientFactory().createBuilder(o).buildClient().getAccountName());
  }

  @Test
  void anAccountKeyIsUsedWithTheEndpoint() {
    BlobstoreOptions o =
        options(
            "--accountName=devstoreaccount1",
            "--accessKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
            "--blobServiceEndpoint=http://127.0.0.1:10000/devstoreaccount1");
    assertEquals(
        "http://127.0.0.1:10000/devstoreaccount1",
        new AzureBlobClientFactory().createBuilder(o).buildClient().getAccountUrl());
  }

  @Test
  void theSdkKeepsTheNameOfAnAzfsArchiveWhateverItsBatchId() {
    // Beam hands an azfs:// path's blob name to the SDK as it is, and the SDK URL-decodes names:
    // a %XX escape would be stored as the raw id, here in a sub-folder.
    BlobContainerClient c = new BlobServiceClientBuilder().connectionString(EMULATOR).buildClient().getBlobContainerClient("c");
    assertEquals("t/a/b%c-1.csv.gz", c.getBlobClient("t/" + ArchivePaths.escape("a/b%c") + "-1.csv.gz").getBlobName());
    String root = "azfs://devstoreaccount1/c/root";
    String path = ArchivePaths.archiveFile(root, "t", new PartitionKey("a/b%c", 2021, 1), 1, ArchiveFormat.CSV_GZ);
    String name = path.substring("azfs://devstoreaccount1/c/".length());
    assertEquals("root/archived-batches/t/a~2Fb~25c-2021-01-1.csv.gz", name);
    assertEquals(name, c.getBlobClient(name).getBlobName());
  }

  @Test
  void azfsPathsBelongToBeamsAzureFilesystem() {
    FileSystems.setDefaultPipelineOptions(options("--azureConnectionString=" + EMULATOR));
    ResourceId id = FileSystems.matchNewResource("azfs://devstoreaccount1/archive/root/x.parquet", false);
    assertEquals("azfs", id.getScheme());
    assertEquals("x.parquet", id.getFilename());
  }
}
