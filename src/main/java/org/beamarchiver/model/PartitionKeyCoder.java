package org.beamarchiver.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;

/** Deterministic coder for {@link PartitionKey}, so it can key a GroupByKey. */
public final class PartitionKeyCoder extends AtomicCoder<PartitionKey> {
  private static final PartitionKeyCoder INSTANCE = new PartitionKeyCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final VarIntCoder INT = VarIntCoder.of();

  public static PartitionKeyCoder of() {
    return INSTANCE;
  }

  private PartitionKeyCoder() {}

  @Override
  public void encode(PartitionKey value, OutputStream out) throws IOException {
    STRING.encode(value.batchId(), out);
    INT.encode(value.isoYear(), out);
    INT.encode(value.isoWeek(), out);
  }

  @Override
  public PartitionKey decode(InputStream in) throws IOException {
    return new PartitionKey(STRING.decode(in), INT.decode(in), INT.decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
