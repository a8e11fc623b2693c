package io.screenmesh.audio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes mono samples as a 16-bit PCM WAV that holds only a {@code fmt } and a {@code data}
 * chunk: no LIST/INFO, cue, broadcast or private chunk of the original survives, because none
 * is read from it.
 */
public final class SanitizedWav {

  private SanitizedWav() {}

  /** Encodes {@code mono} (clamped to [-1, 1]) at {@code sampleRate}. */
  public static byte[] encode(float[] mono, int sampleRate) {
    long dataBytes = 2L * mono.length;
    if (dataBytes > Integer.MAX_VALUE - 44) {
      throw new IllegalArgumentException("too many samples for one WAV: " + mono.length);
    }
    ByteBuffer b = ByteBuffer.allocate(44 + (int) dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {'R', 'I', 'F', 'F'}).putInt((int) (36 + dataBytes)).put(new byte[] {'W', 'A', 'V', 'E'});
    b.put(new byte[] {'f', 'm', 't', ' '}).putInt(16)
        .putShort((short) 1).putShort((short) 1).putInt(sampleRate).putInt(sampleRate * 2)
        .putShort((short) 2).putShort((short) 16);
    b.put(new byte[] {'d', 'a', 't', 'a'}).putInt((int) dataBytes);
    for (float s : mono) {
      float c = Math.max(-1f, Math.min(1f, s));
      b.putShort((short) Math.round(c * 32767f));
    }
    return b.array();
  }
}
