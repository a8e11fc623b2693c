package io.screenmesh.image.hidden;

/**
 * Statistics of an image's least-significant-bit plane that reveal data hidden in it, computed
 * over the colour samples of interleaved RGB or RGBA pixels (alpha is skipped):
 *
 * <ul>
 *   <li>{@link #chiSquare}: Westfeld and Pfitzmann's chi-square attack. Replacing LSBs with
 *       random bits evens out the counts of each pair of values {2k, 2k+1}; the statistic is the
 *       probability that the observed pairs are that even (near 1 for an image filled with a
 *       payload, near 0 for a natural one);
 *   <li>{@link #rsRate}: Fridrich, Goljan and Du's RS analysis, an estimate of the fraction of
 *       samples carrying payload from how flipping LSBs changes the smoothness of small pixel
 *       groups (near 0 for natural images, the embedding rate otherwise);
 *   <li>{@link #flatNoise}: high-frequency energy where there should be none: among samples
 *       whose four neighbours share their upper seven bits (flat regions, which embedding leaves
 *       flat), the fraction whose LSB disagrees with the neighbours' majority. Rendered images
 *       score near 0; an LSB payload raises it towards 0.5.
 * </ul>
 *
 * All three are plain functions of the pixels; thresholds come from a benign baseline. Each reads
 * at most about {@value #MAX_SAMPLES} colour samples, taking every k-th row of larger images: the
 * statistics are averages over the image, and a full pass over a large photo cost tens of
 * milliseconds per statistic on a busy core.
 */
public final class LsbStatistics {

  /** The colour samples each statistic reads at most (whole rows, evenly spread). */
  public static final int MAX_SAMPLES = 1 << 20;

  private LsbStatistics() {}

  /** Every how many rows a statistic reads, so that it reads at most {@link #MAX_SAMPLES} samples. */
  static int rowStep(int width, int height, int channels) {
    long samples = (long) width * height * Math.min(3, channels);
    return (int) Math.max(1, (samples + MAX_SAMPLES - 1) / MAX_SAMPLES);
  }

  /**
   * The chi-square attack's p-value over the whole image: near 1 when value pairs are as even as
   * an LSB payload makes them. Pairs expected fewer than 5 times are left out, as the test
   * requires; with fewer than two pairs left the result is 0.
   */
  public static double chiSquare(byte[] px, int width, int height, int channels) {
    long[] h = new long[256];
    int colour = Math.min(3, channels);
    int stride = width * channels;
    for (int y = 0; y < height; y += rowStep(width, height, channels)) {
      for (int i = y * stride, end = i + stride; i < end; i += channels) {
        for (int k = 0; k < colour; k++) {
          h[px[i + k] & 0xFF]++;
        }
      }
    }
    double chi = 0;
    int pairs = 0;
    for (int k = 0; k < 128; k++) {
      double expected = (h[2 * k] + h[2 * k + 1]) / 2.0;
      if (expected < 5) {
        continue;
      }
      double d = h[2 * k] - expected;
      chi += d * d / expected;
      pairs++;
    }
    if (pairs < 2) {
      return 0;
    }
    return Gamma.upperRegularized((pairs - 1) / 2.0, chi / 2);
  }

  /**
   * RS analysis: the estimated fraction of colour samples that carry payload, clamped to [0, 1].
   * Groups are four horizontally adjacent samples of one channel with the mask [0 1 1 0].
   */
  public static double rsRate(byte[] px, int width, int height, int channels) {
    double[] plain = rs(px, width, height, channels, false);
    double[] flipped = rs(px, width, height, channels, true);
    double d0 = plain[0] - plain[1];
    double dn0 = plain[2] - plain[3];
    double d1 = flipped[0] - flipped[1];
    double dn1 = flipped[2] - flipped[3];
    double a = 2 * (d1 + d0);
    double b = dn0 - dn1 - d1 - 3 * d0;
    double c = d0 - dn0;
    double x;
    if (Math.abs(a) < 1e-12) {
      if (Math.abs(b) < 1e-12) {
        return 0;
      }
      x = -c / b;
    } else {
      double disc = b * b - 4 * a * c;
      if (disc < 0) {
        return 0;
      }
      double r1 = (-b + Math.sqrt(disc)) / (2 * a);
      double r2 = (-b - Math.sqrt(disc)) / (2 * a);
      x = Math.abs(r1) < Math.abs(r2) ? r1 : r2;
    }
    double p = x / (x - 0.5);
    return Double.isFinite(p) ? Math.max(0, Math.min(1, p)) : 0;
  }

  /** R_M, S_M, R_-M, S_-M as fractions of the groups, of the pixels or their LSB-flipped copy. */
  private static double[] rs(byte[] px, int width, int height, int channels, boolean flipAll) {
    long groups = 0;
    long rm = 0;
    long sm = 0;
    long rn = 0;
    long sn = 0;
    int colour = Math.min(3, channels);
    int[] g = new int[4];
    for (int y = 0; y < height; y += rowStep(width, height, channels)) {
      int row = y * width * channels;
      for (int x = 0; x + 4 <= width; x += 4) {
        for (int k = 0; k < colour; k++) {
          for (int j = 0; j < 4; j++) {
            int v = px[row + (x + j) * channels + k] & 0xFF;
            g[j] = flipAll ? v ^ 1 : v;
          }
          int f = smoothness(g[0], g[1], g[2], g[3]);
          // Mask [0 1 1 0]: F1 (v ^ 1) on the middle pair, or F-1 (its shifted twin) for -M.
          int fp = smoothness(g[0], g[1] ^ 1, g[2] ^ 1, g[3]);
          int fn = smoothness(g[0], flipNegative(g[1]), flipNegative(g[2]), g[3]);
          groups++;
          if (fp > f) {
            rm++;
          } else if (fp < f) {
            sm++;
          }
          if (fn > f) {
            rn++;
          } else if (fn < f) {
            sn++;
          }
        }
      }
    }
    if (groups == 0) {
      return new double[4];
    }
    return new double[] {(double) rm / groups, (double) sm / groups, (double) rn / groups, (double) sn / groups};
  }

  private static int flipNegative(int v) {
    return ((v + 1) ^ 1) - 1;
  }

  private static int smoothness(int a, int b, int c, int d) {
    return Math.abs(b - a) + Math.abs(c - b) + Math.abs(d - c);
  }

  /**
   * The fraction of flat-region samples whose LSB disagrees with the majority of their four
   * neighbours' LSBs; a sample is in a flat region when it and its four neighbours have the same
   * upper seven bits. Returns 0 when fewer than {@code minFlat} samples are flat (nothing to
   * measure).
   */
  public static double flatNoise(byte[] px, int width, int height, int channels, int minFlat) {
    int colour = Math.min(3, channels);
    long flat = 0;
    long noisy = 0;
    int stride = width * channels;
    for (int y = 1; y + 1 < height; y += rowStep(width, height, channels)) {
      for (int x = 1; x + 1 < width; x++) {
        int o = y * stride + x * channels;
        for (int k = 0; k < colour; k++) {
          int c = px[o + k] & 0xFF;
          int l = px[o - channels + k] & 0xFF;
          int r = px[o + channels + k] & 0xFF;
          int u = px[o - stride + k] & 0xFF;
          int d = px[o + stride + k] & 0xFF;
          int hi = c >> 1;
          if ((l >> 1) != hi || (r >> 1) != hi || (u >> 1) != hi || (d >> 1) != hi) {
            continue;
          }
          flat++;
          int ones = (l & 1) + (r & 1) + (u & 1) + (d & 1);
          if (ones != 2 && (c & 1) != (ones > 2 ? 1 : 0)) {
            noisy++;
          }
        }
      }
    }
    return flat < minFlat ? 0 : (double) noisy / flat;
  }
}
