package org.beamarchiver.model;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.VarInt;

/** A compact, deterministic coder for {@link SourceRow}. */
public final class SourceRowCoder extends AtomicCoder<SourceRow> {
  private static final SourceRowCoder INSTANCE = new SourceRowCoder();

  public static SourceRowCoder of() {
    return INSTANCE;
  }

  private SourceRowCoder() {}

  @Override
  public void encode(SourceRow row, OutputStream out) throws IOException {
    if (row == null) {
      throw new CoderException("cannot encode a null SourceRow");
    }
    VarInt.encode(row.values().length, out);
    for (String v : row.values()) {
      if (v == null) {
        VarInt.encode(0, out);
      } else {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        VarInt.encode(b.length + 1, out);
        out.write(b);
      }
    }
    DataOutputStream data = new DataOutputStream(out);
    data.writeLong(row.timeMillis());
    data.writeLong(row.writeTimeMicros());
    data.flush();
  }

  @Override
  public SourceRow decode(InputStream in) throws IOException {
    int n = VarInt.decodeInt(in);
    String[] values = new String[n];
    for (int i = 0; i < n; i++) {
      int len = VarInt.decodeInt(in);
      if (len > 0) {
        byte[] b = in.readNBytes(len - 1);
        if (b.length != len - 1) {
          throw new CoderException("truncated SourceRow");
        }
        values[i] = new String(b, StandardCharsets.UTF_8);
      }
    }
    DataInputStream data = new DataInputStream(in);
    return new SourceRow(values, data.readLong(), data.readLong());
  }

  @Override
  public void verifyDeterministic() {}
}
