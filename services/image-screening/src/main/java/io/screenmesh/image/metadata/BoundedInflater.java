package io.screenmesh.image.metadata;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates zlib data without trusting its size: output stops at a limit however far the
 * input would expand, so a few kilobytes that inflate to gigabytes cost at most the limit.
 */
public final class BoundedInflater {

  /**
   * The inflated bytes and how inflation ended.
   *
   * @param bytes at most the limit's worth of output
   * @param capped true when the data would inflate past the limit
   * @param corrupt true when the stream was invalid or ended early (the bytes are what came before)
   */
  public record Result(byte[] bytes, boolean capped, boolean corrupt) {}

  private BoundedInflater() {}

  /** Inflates {@code len} bytes of zlib data at {@code off} into at most {@code maxBytes}. */
  public static Result inflate(byte[] data, int off, int len, int maxBytes) {
    Inflater inflater = new Inflater();
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, Math.max(64, len * 4)));
    try {
      inflater.setInput(data, off, len);
      byte[] buf = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(buf);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          return new Result(out.toByteArray(), false, true);
        }
        int room = maxBytes - out.size();
        if (n > room) {
          out.write(buf, 0, room);
          return new Result(out.toByteArray(), true, false);
        }
        out.write(buf, 0, n);
      }
      return new Result(out.toByteArray(), false, false);
    } catch (DataFormatException e) {
      return new Result(out.toByteArray(), false, true);
    } finally {
      inflater.end();
    }
  }
}
