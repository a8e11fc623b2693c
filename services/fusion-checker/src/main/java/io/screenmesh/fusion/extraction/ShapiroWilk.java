package io.screenmesh.fusion.extraction;

import java.util.Arrays;

/**
 * The Shapiro–Wilk test of normality, with Royston's approximations for the coefficients
 * (1992) and for the p-value (1995, algorithm AS R94), valid for 3 ≤ n ≤ 5000.
 *
 * <p>PRADA reads it over the distances between a caller's queries: ordinary use spreads them
 * roughly normally, while a model-extraction sweep (small systematic steps away from a few seed
 * queries) piles them up at a few values, which drives W down.
 */
public final class ShapiroWilk {

  /** The largest sample the approximations hold for. */
  public static final int MAX_N = 5000;

  // The coefficients depend on n alone, and the monitor tests windows of one size over and over:
  // computing them (n inverse normals) was most of each test's cost on the front door's path.
  private static final java.util.concurrent.ConcurrentHashMap<Integer, double[]> COEFFICIENTS =
      new java.util.concurrent.ConcurrentHashMap<>();
  // At most this many sizes are kept (every size up to a 500-query window: 1 MB at most).
  private static final int CACHED_SIZES = 512;

  private ShapiroWilk() {}

  /**
   * The test's outcome.
   *
   * @param w the statistic, in (0, 1]; 1 for a perfectly normal sample
   * @param p the p-value of normality (for n ≥ 12; NaN below that, where the approximation
   *     Royston gives for the p-value does not apply)
   */
  public record Result(double w, double p) {}

  /**
   * Tests {@code sample}.
   *
   * @throws IllegalArgumentException when n is outside [3, 5000] or the sample has no spread
   */
  public static Result test(double[] sample) {
    int n = sample.length;
    if (n < 3 || n > MAX_N) {
      throw new IllegalArgumentException("Shapiro–Wilk needs 3 to " + MAX_N + " values, got " + n);
    }
    double[] x = sample.clone();
    Arrays.sort(x);
    double mean = 0;
    for (double v : x) {
      mean += v;
    }
    mean /= n;
    double ss = 0;
    for (double v : x) {
      ss += (v - mean) * (v - mean);
    }
    if (!(ss > 0)) {
      throw new IllegalArgumentException("Shapiro–Wilk needs a sample with some spread");
    }
    double[] a = COEFFICIENTS.get(n);
    if (a == null) {
      a = coefficients(n);
      if (COEFFICIENTS.size() < CACHED_SIZES) {
        COEFFICIENTS.putIfAbsent(n, a);
      }
    }
    double num = 0;
    for (int i = 0; i < n; i++) {
      num += a[i] * x[i];
    }
    double w = Math.min(1.0, num * num / ss);
    return new Result(w, n >= 12 ? pValue(w, n) : Double.NaN);
  }

  /** Royston's approximation of the coefficients a_1..a_n (antisymmetric: a_i = -a_{n+1-i}). */
  private static double[] coefficients(int n) {
    double[] m = new double[n];
    double mm = 0;
    for (int i = 0; i < n; i++) {
      m[i] = inverseNormal((i + 1 - 0.375) / (n + 0.25));
      mm += m[i] * m[i];
    }
    double[] a = new double[n];
    if (n == 3) {
      a[0] = -Math.sqrt(0.5);
      a[2] = Math.sqrt(0.5);
      return a;
    }
    double u = 1 / Math.sqrt(n);
    double an = poly(u, -2.706056, 4.434685, -2.071190, -0.147981, 0.221157) + m[n - 1] / Math.sqrt(mm);
    if (n <= 5) {
      double eps = (mm - 2 * m[n - 1] * m[n - 1]) / (1 - 2 * an * an);
      for (int i = 1; i < n - 1; i++) {
        a[i] = m[i] / Math.sqrt(eps);
      }
      a[0] = -an;
      a[n - 1] = an;
      return a;
    }
    double an1 = poly(u, -3.582633, 5.682633, -1.752461, -0.293762, 0.042981) + m[n - 2] / Math.sqrt(mm);
    double eps = (mm - 2 * m[n - 1] * m[n - 1] - 2 * m[n - 2] * m[n - 2]) / (1 - 2 * an * an - 2 * an1 * an1);
    for (int i = 2; i < n - 2; i++) {
      a[i] = m[i] / Math.sqrt(eps);
    }
    a[0] = -an;
    a[1] = -an1;
    a[n - 2] = an1;
    a[n - 1] = an;
    return a;
  }

  /** c5 u^5 + c4 u^4 + c3 u^3 + c2 u^2 + c1 u. */
  private static double poly(double u, double c5, double c4, double c3, double c2, double c1) {
    return (((((c5 * u) + c4) * u + c3) * u + c2) * u + c1) * u;
  }

  /** Royston (1995): log(1 - W) is close to normal for n ≥ 12. */
  private static double pValue(double w, int n) {
    double ln = Math.log(n);
    double mu = 0.0038915 * ln * ln * ln - 0.083751 * ln * ln - 0.31082 * ln - 1.5861;
    double sigma = Math.exp(0.0030302 * ln * ln - 0.082676 * ln - 0.4803);
    double z = (Math.log(1 - w) - mu) / sigma;
    return 1 - normalCdf(z);
  }

  /** Φ(z), from erfc (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
  static double normalCdf(double z) {
    double x = -z / Math.sqrt(2);
    double t = 1 / (1 + 0.5 * Math.abs(x));
    double r = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277)))))))));
    double erfc = x >= 0 ? r : 2 - r;
    return 0.5 * erfc;
  }

  /** Φ⁻¹(p) for 0 < p < 1, Acklam's rational approximation (relative error < 1.2e-9). */
  static double inverseNormal(double p) {
    final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01};
    final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
        3.754408661907416e+00};
    double low = 0.02425;
    if (p < low) {
      double q = Math.sqrt(-2 * Math.log(p));
      return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
          / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - low) {
      return -inverseNormal(1 - p);
    }
    double q = p - 0.5;
    double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
}
