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
      return new Options(1e-3, 200, 0.05, seed);
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
    // Standardized copy; a constant feature stays zero and gets no weight.
    float[][] z = new float[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        z[i][j] = sd[j] > 1e-9 ? (float) ((x[i][j] - mean[j]) / sd[j]) : 0f;
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
    return adam(z, y, w, total, options, beta, b0, sd, mean);
  }

  private static Model adam(float[][] z, int[] y, double[] w, double total, Options o, double[] beta, double b0,
      double[] sd, double[] mean) {
    int n = z.length;
    int d = beta.length;
    double bias = b0;
    double[] m = new double[d + 1];
    double[] v = new double[d + 1];
    double[] g = new double[d + 1];
    final double b1 = 0.9;
    final double b2 = 0.999;
    for (int t = 1; t <= o.iterations(); t++) {
      java.util.Arrays.fill(g, 0);
      for (int i = 0; i < n; i++) {
        if (w[i] == 0) {
          continue;
        }
        float[] r = z[i];
        double s = bias;
        for (int j = 0; j < d; j++) {
          s += beta[j] * r[j];
        }
        double e = (sigmoid(s) - y[i]) * (w[i] / total);
        for (int j = 0; j < d; j++) {
          g[j] += e * r[j];
        }
        g[d] += e;
      }
      for (int j = 0; j < d; j++) {
        g[j] += o.l2() * beta[j];
      }
      double c1 = 1 - Math.pow(b1, t);
      double c2 = 1 - Math.pow(b2, t);
      for (int j = 0; j <= d; j++) {
        m[j] = b1 * m[j] + (1 - b1) * g[j];
        v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
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

  /** The logistic function. */
  public static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
}
