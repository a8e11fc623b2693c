package io.screenmesh.image.hidden;

/** The regularized incomplete gamma function, for chi-square p-values (Numerical Recipes' scheme). */
final class Gamma {

  private static final int MAX_ITERATIONS = 500;
  private static final double EPS = 1e-14;

  private Gamma() {}

  /** Q(a, x) = Γ(a, x) / Γ(a), the upper tail: the chi-square p-value is Q(dof / 2, χ² / 2). */
  static double upperRegularized(double a, double x) {
    if (x <= 0) {
      return 1;
    }
    return x < a + 1 ? 1 - lowerSeries(a, x) : upperFraction(a, x);
  }

  private static double lowerSeries(double a, double x) {
    double sum = 1 / a;
    double term = sum;
    for (int n = 1; n < MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) {
        break;
      }
    }
    return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }

  private static double upperFraction(double a, double x) {
    double b = x + 1 - a;
    double c = 1 / 1e-300;
    double d = 1 / b;
    double h = d;
    for (int i = 1; i < MAX_ITERATIONS; i++) {
      double an = -i * (i - a);
      b += 2;
      d = an * d + b;
      if (Math.abs(d) < 1e-300) {
        d = 1e-300;
      }
      c = b + an / c;
      if (Math.abs(c) < 1e-300) {
        c = 1e-300;
      }
      d = 1 / d;
      double delta = d * c;
      h *= delta;
      if (Math.abs(delta - 1) < EPS) {
        break;
      }
    }
    return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
  }

  /** ln Γ(x) for x > 0 (Lanczos, g = 7). */
  static double logGamma(double x) {
    double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
    if (x < 0.5) {
      return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
    }
    x -= 1;
    double a = c[0];
    double t = x + 7.5;
    for (int i = 1; i < 9; i++) {
      a += c[i] / (x + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
  }
}
