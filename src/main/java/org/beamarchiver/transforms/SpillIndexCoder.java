package org.beamarchiver.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.KV;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.PartitionKeyCoder;

/** Compact coder for a spill file's index (its sorted runs): the path once, then (partition, offset, records, bytes) entries. */
final class SpillIndexCoder extends AtomicCoder<WritePartitionFiles.SpillIndex> {
  private static final SpillIndexCoder INSTANCE = new SpillIndexCoder();

  static SpillIndexCoder of() {
    return INSTANCE;
  }

  private SpillIndexCoder() {}

  @Override
  public void encode(WritePartitionFiles.SpillIndex value, OutputStream out) throws IOException {
    StringUtf8Coder.of().encode(value.path(), out);
    VarInt.encode(value.segments().size(), out);
    for (KV<PartitionKey, WritePartitionFiles.Segment> s : value.segments()) {
      PartitionKeyCoder.of().encode(s.getKey(), out);
      VarLongCoder.of().encode(s.getValue().offset(), out);
      VarLongCoder.of().encode(s.getValue().records(), out);
      VarLongCoder.of().encode(s.getValue().bytes(), out);
    }
  }

  @Override
  public WritePartitionFiles.SpillIndex decode(InputStream in) throws IOException {
    String path = StringUtf8Coder.of().decode(in);
    int n = VarInt.decodeInt(in);
    List<KV<PartitionKey, WritePartitionFiles.Segment>> segments = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      PartitionKey k = PartitionKeyCoder.of().decode(in);
      long offset = VarLongCoder.of().decode(in);
      long records = VarLongCoder.of().decode(in);
      long bytes = VarLongCoder.of().decode(in);
      segments.add(KV.of(k, new WritePartitionFiles.Segment(path, offset, records, bytes)));
    }
    return new WritePartitionFiles.SpillIndex(path, segments);
  }
}
