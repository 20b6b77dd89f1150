package org.beamarchiver.transforms;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * The bytes {@code [offset, offset + length)} of a channel that other segments' readers share:
 * each refill positions the channel first. One thread.
 */
final class SegmentInput extends InputStream {
  private final SeekableByteChannel channel;
  private final ByteBuffer buffer;
  private long position;
  private final long end;

  SegmentInput(SeekableByteChannel channel, long offset, long length) {
    this.channel = channel;
    this.position = offset;
    this.end = offset + length;
    this.buffer = ByteBuffer.allocate((int) Math.max(1, Math.min(length, 1 << 15)));
    buffer.flip();
  }

  private boolean fill() throws IOException {
    if (buffer.hasRemaining()) {
      return true;
    }
    if (position >= end) {
      return false;
    }
    buffer.clear();
    buffer.limit((int) Math.min(buffer.capacity(), end - position));
    channel.position(position);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new EOFException("run file ends inside a segment at " + (position + buffer.position()));
      }
    }
    position += buffer.position();
    buffer.flip();
    return true;
  }

  @Override
  public int read() throws IOException {
    return fill() ? buffer.get() & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, buffer.remaining());
    buffer.get(b, off, n);
    return n;
  }
}
