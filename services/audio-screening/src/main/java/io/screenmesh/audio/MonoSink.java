package io.screenmesh.audio;

import java.util.Arrays;

/**
 * Collects decoded frames as their channel mean, up to a fixed number of frames: a decoder never
 * produces more than the header declared and the limits allowed, whatever its packets claim.
 * Grows as frames arrive, so a header that overstates the length costs no memory up front.
 */
final class MonoSink {

  private final long capacity;
  private float[] out;
  private int size;

  /** A sink for at most {@code capacity} frames. */
  MonoSink(long capacity) {
    this.capacity = Math.min(capacity, Integer.MAX_VALUE - 8);
    this.out = new float[(int) Math.min(this.capacity, 1 << 16)];
  }

  /** Whether no more frames fit. */
  boolean full() {
    return size >= capacity;
  }

  /** Frames collected so far. */
  int size() {
    return size;
  }

  /**
   * Adds {@code frames} frames of planar float samples ({@code planes[c][offsets[c] + i]}).
   *
   * @return the frames that did not fit (0 when all did)
   */
  int addPlanar(float[][] planes, int[] offsets, int channels, int frames) {
    int n = room(frames);
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int c = 0; c < channels; c++) {
        float v = planes[c][offsets[c] + i];
        sum += Float.isFinite(v) ? v : 0;
      }
      out[size++] = (float) (sum / channels);
    }
    return frames - n;
  }

  /**
   * Adds {@code frames} frames of interleaved 16-bit samples from {@code pcm[offset]}.
   *
   * @return the frames that did not fit (0 when all did)
   */
  int addInterleaved16(short[] pcm, int offset, int channels, int frames) {
    int n = room(frames);
    int p = offset;
    for (int i = 0; i < n; i++) {
      int sum = 0;
      for (int c = 0; c < channels; c++) {
        sum += pcm[p++];
      }
      out[size++] = (float) (sum / (32768.0 * channels));
    }
    return frames - n;
  }

  /**
   * Adds {@code frames} frames of planar integer samples of {@code bits} bits.
   *
   * @return the frames that did not fit (0 when all did)
   */
  int addPlanarInt(int[][] planes, int channels, int frames, int bits) {
    int n = room(frames);
    double scale = 1.0 / (channels * (double) (1L << (bits - 1)));
    for (int i = 0; i < n; i++) {
      long sum = 0;
      for (int c = 0; c < channels; c++) {
        sum += planes[c][i];
      }
      out[size++] = (float) (sum * scale);
    }
    return frames - n;
  }

  /** The frames collected. */
  float[] samples() {
    return size == out.length ? out : Arrays.copyOf(out, size);
  }

  private int room(int frames) {
    int n = (int) Math.min(frames, capacity - size);
    if (size + n > out.length) {
      out = Arrays.copyOf(out, (int) Math.min(capacity, Math.max(size + n, 2L * out.length)));
    }
    return n;
  }
}
