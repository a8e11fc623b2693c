package io.screenmesh.text.heads;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * Weighted, L2-regularized logistic regression, fitted by full-batch Adam on standardized features
 * and returned in the raw feature space. Deterministic: the same rows, weights, options and seed
 * give bit-identical coefficients (one thread, a fixed order of every sum).
 */
public final class LogisticRegression {

  /**
   * Fitting options.
   *
   * @param l2 the L2 penalty on standardized coefficients (the loss is the weighted mean log loss)
   * @param iterations Adam steps
   * @param learningRate Adam's step size
   * @param seed seeds the initial coefficients
   */
  public record Options(double l2, int iterations, double learningRate, long seed) {

    /** The options {@code train} uses unless told otherwise. */
    public static Options defaults(long seed) {
      return new Options(1e-3, 150, 0.05, seed);
    }
  }

  /**
   * A fitted model in the raw feature space: {@code p = sigmoid(bias + weights · x)}.
   *
   * @param weights one per feature
   * @param bias the intercept
   */
  public record Model(float[] weights, float bias) {

    /** The probability of the positive class for {@code x}. */
    public double probability(float[] x) {
      return sigmoid(logit(x));
    }

    /** The log-odds of the positive class for {@code x}. */
    public double logit(float[] x) {
      if (x.length != weights.length) {
        throw new IllegalArgumentException("dimensions differ: " + x.length + " != " + weights.length);
      }
      double z = bias;
      for (int j = 0; j < x.length; j++) {
        z += (double) weights[j] * x[j];
      }
      return z;
    }
  }

  private LogisticRegression() {}

  /**
   * Fits a model.
   *
   * @param x rows of features, all of one length
   * @param y labels, 1 or 0
   * @param w non-negative row weights (normalized here to sum to one)
   * @param options penalty, steps and seed
   * @param start coefficients to start from (a model of the same features), or null for a seeded
   *     random start
   * @throws IllegalArgumentException for empty or ragged input, or one class only
   */
  public static Model fit(float[][] x, int[] y, double[] w, Options options, Model start) {
    int n = x.length;
    if (n == 0 || y.length != n || w.length != n) {
      throw new IllegalArgumentException("need rows, labels and weights of one length, got " + n + ", " + y.length
          + ", " + w.length);
    }
    int d = x[0].length;
    double total = 0;
    boolean pos = false;
    boolean neg = false;
    for (int i = 0; i < n; i++) {
      if (x[i].length != d) {
        throw new IllegalArgumentException("row " + i + " has " + x[i].length + " features, not " + d);
      }
      total += w[i];
      pos |= y[i] == 1 && w[i] > 0;
      neg |= y[i] == 0 && w[i] > 0;
    }
    if (!pos || !neg) {
      throw new IllegalArgumentException("both classes are needed to fit a head");
    }
    double[] mean = new double[d];
    double[] sd = new double[d];
    for (float[] r : x) {
      for (int j = 0; j < d; j++) {
        mean[j] += r[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    for (float[] r : x) {
      for (int j = 0; j < d; j++) {
        double c = r[j] - mean[j];
        sd[j] += c * c;
      }
    }
    for (int j = 0; j < d; j++) {
      sd[j] = Math.sqrt(sd[j] / n);
    }
    // Standardized copy, one flat array row after row; a constant feature stays zero and gets no weight.
    float[] z = new float[n * d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        z[i * d + j] = sd[j] > 1e-9 ? (float) ((x[i][j] - mean[j]) / sd[j]) : 0f;
      }
    }
    double[] beta = new double[d];
    double b0;
    if (start != null) {
      if (start.weights().length != d) {
        throw new IllegalArgumentException("dimensions differ: " + start.weights().length + " != " + d);
      }
      double shift = start.bias();
      for (int j = 0; j < d; j++) {
        beta[j] = start.weights()[j] * sd[j];
        shift += start.weights()[j] * mean[j];
      }
      b0 = shift;
    } else {
      Random r = new Random(new SplittableRandom(options.seed()).nextLong());
      for (int j = 0; j < d; j++) {
        beta[j] = 0.01 * r.nextGaussian();
      }
      b0 = 0;
    }
    return adam(z, n, d, y, w, total, options, beta, b0, sd, mean);
  }

  private static Model adam(float[] z, int n, int d, int[] y, double[] w, double total, Options o, double[] beta,
      double b0, double[] sd, double[] mean) {
    double bias = b0;
    double[] m = new double[d + 1];
    double[] v = new double[d + 1];
    float[] g = new float[d];
    float[] coef = new float[d];
    final double b1 = 0.9;
    final double b2 = 0.999;
    for (int t = 1; t <= o.iterations(); t++) {
      java.util.Arrays.fill(g, 0f);
      for (int j = 0; j < d; j++) {
        coef[j] = (float) beta[j];
      }
      double gb = 0;
      for (int i = 0; i < n; i++) {
        if (w[i] == 0) {
          continue;
        }
        int at = i * d;
        double s = bias + dot(coef, z, at, d);
        float e = (float) ((sigmoid(s) - y[i]) * (w[i] / total));
        // An axpy the JIT vectorizes; float is ample for a gradient step's direction.
        for (int j = 0; j < d; j++) {
          g[j] += e * z[at + j];
        }
        gb += e;
      }
      double c1 = 1 - Math.pow(b1, t);
      double c2 = 1 - Math.pow(b2, t);
      for (int j = 0; j <= d; j++) {
        double gj = j < d ? g[j] + o.l2() * beta[j] : gb;
        m[j] = b1 * m[j] + (1 - b1) * gj;
        v[j] = b2 * v[j] + (1 - b2) * gj * gj;
        double step = o.learningRate() * (m[j] / c1) / (Math.sqrt(v[j] / c2) + 1e-8);
        if (j < d) {
          beta[j] -= step;
        } else {
          bias -= step;
        }
      }
    }
    float[] raw = new float[d];
    double intercept = bias;
    for (int j = 0; j < d; j++) {
      if (sd[j] > 1e-9) {
        raw[j] = (float) (beta[j] / sd[j]);
        intercept -= beta[j] * mean[j] / sd[j];
      }
    }
    return new Model(raw, (float) intercept);
  }

  // Four running sums for instruction-level parallelism; the order is fixed, so results are too.
  private static double dot(float[] a, float[] z, int at, int d) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int j = 0;
    for (; j + 3 < d; j += 4) {
      s0 += a[j] * z[at + j];
      s1 += a[j + 1] * z[at + j + 1];
      s2 += a[j + 2] * z[at + j + 2];
      s3 += a[j + 3] * z[at + j + 3];
    }
    for (; j < d; j++) {
      s0 += a[j] * z[at + j];
    }
    return (double) s0 + s1 + s2 + s3;
  }

  /** The logistic function. */
  public static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
}
