package org.beamarchiver.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the key that signs and verifies run manifests comes from. */
public interface SigningOptions extends PipelineOptions {
  @Description(
      "File holding the manifest signing key (its text, at least 16 bytes; HMAC-SHA-256). Unset:"
          + " the environment variable BEAM_ARCHIVER_SIGNING_KEY, else ~/.beam-archiver/signing.key"
          + " (created by the first archive). The key is never an option itself, never logged and"
          + " never stored in the ledger; manifests carry only its id.")
  String getSigningKeyFile();

  void setSigningKeyFile(String value);
}
