package io.screenmesh.audio.speech;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Band-limited sample-rate conversion by a Kaiser-windowed sinc, evaluated as a polyphase filter
 * bank: for rates in the ratio {@code L/M} (reduced), output sample {@code n} sits at input
 * position {@code n·M/L}, and each of the {@code L} fractional positions has its own precomputed
 * set of taps.
 *
 * <p>The low-pass that prevents aliasing is centred at {@value #CUTOFF} of the lower of the two
 * Nyquist frequencies and spans {@value #ZEROS} zero crossings either side, with a Kaiser window
 * of β = {@value #BETA} (about 80 dB of stop-band attenuation): converting 22,050 Hz speech to
 * 16 kHz keeps everything below about 6.6 kHz at unit gain and attenuates everything above
 * 8 kHz — which would otherwise fold back into the speech band — by about 80 dB.
 *
 * <p>Thread-safe; filter banks are cached per rate pair.
 */
public final class Resampler {

  /** Where the filter's transition band is centred, as a share of the lower Nyquist frequency. */
  static final double CUTOFF = 0.90;
  /** Zero crossings of the sinc on either side of its centre. */
  static final int ZEROS = 32;
  /** The Kaiser window's shape parameter. */
  static final double BETA = 8.0;
  // A rate pair with more phases than this (coprime odd rates) is computed per sample instead.
  private static final int MAX_PHASES = 1024;

  private static final ConcurrentHashMap<Long, Bank> BANKS = new ConcurrentHashMap<>();

  private Resampler() {}

  /**
   * Converts {@code in} from {@code fromRate} to {@code toRate}. The output has
   * {@code ceil(in.length · toRate / fromRate)} samples and the same start time; equal rates
   * return a copy.
   *
   * @throws IllegalArgumentException unless both rates are positive
   */
  public static float[] resample(float[] in, int fromRate, int toRate) {
    if (fromRate <= 0 || toRate <= 0) {
      throw new IllegalArgumentException("sample rates must be positive, got " + fromRate + " and " + toRate);
    }
    if (fromRate == toRate) {
      return in.clone();
    }
    int g = gcd(fromRate, toRate);
    int up = toRate / g;
    int down = fromRate / g;
    long outLength = ((long) in.length * up + down - 1) / down;
    if (outLength > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("too many output samples: " + outLength);
    }
    float[] out = new float[(int) outLength];
    if (up <= MAX_PHASES) {
      Bank bank = BANKS.computeIfAbsent(((long) fromRate << 32) | toRate, k -> new Bank(up, down));
      bank.apply(in, out);
    } else {
      direct(in, out, fromRate, toRate);
    }
    return out;
  }

  /** A filter bank for one rate pair: {@code up} phases of {@code width} taps each. */
  private static final class Bank {
    final int up;
    final int down;
    final int half;
    final int width;
    final float[] taps;

    Bank(int up, int down) {
      this.up = up;
      this.down = down;
      // In input samples: the filter's cutoff and its half-length.
      double ratio = Math.min(1.0, (double) up / down);
      double fc = CUTOFF * 0.5 * ratio;
      this.half = (int) Math.ceil(ZEROS / ratio);
      this.width = 2 * half;
      this.taps = new float[up * width];
      for (int p = 0; p < up; p++) {
        double frac = (double) p / up;
        // Taps for input samples base - half + 1 ... base + half around position base + frac.
        for (int j = 0; j < width; j++) {
          double t = (j - half + 1) - frac;
          taps[p * width + j] = (float) kernel(t, fc, half);
        }
      }
    }

    void apply(float[] in, float[] out) {
      int n = in.length;
      for (int i = 0; i < out.length; i++) {
        long pos = (long) i * down;
        int base = (int) (pos / up);
        int phase = (int) (pos % up);
        int first = base - half + 1;
        int offset = phase * width;
        double acc = 0;
        int jFrom = Math.max(0, -first);
        int jTo = Math.min(width, n - first);
        for (int j = jFrom; j < jTo; j++) {
          acc += taps[offset + j] * in[first + j];
        }
        out[i] = (float) acc;
      }
    }
  }

  private static void direct(float[] in, float[] out, int fromRate, int toRate) {
    double ratio = Math.min(1.0, (double) toRate / fromRate);
    double fc = CUTOFF * 0.5 * ratio;
    int half = (int) Math.ceil(ZEROS / ratio);
    for (int i = 0; i < out.length; i++) {
      double pos = (double) i * fromRate / toRate;
      int base = (int) Math.floor(pos);
      double acc = 0;
      for (int k = Math.max(0, base - half + 1); k <= Math.min(in.length - 1, base + half); k++) {
        acc += kernel(k - pos, fc, half) * in[k];
      }
      out[i] = (float) acc;
    }
  }

  /** The windowed sinc at {@code t} input samples from its centre, for cutoff {@code fc} cycles per sample. */
  private static double kernel(double t, double fc, int half) {
    double x = t / half;
    if (Math.abs(x) >= 1) {
      return 0;
    }
    double sinc = t == 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    return sinc * besselI0(BETA * Math.sqrt(1 - x * x)) / besselI0(BETA);
  }

  /** The modified Bessel function of the first kind, order 0, by its power series. */
  static double besselI0(double x) {
    double sum = 1;
    double term = 1;
    double q = x * x / 4;
    for (int k = 1; k < 64; k++) {
      term *= q / ((double) k * k);
      sum += term;
      if (term < 1e-12 * sum) {
        break;
      }
    }
    return sum;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
