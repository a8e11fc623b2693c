package io.screenmesh.text.heads;

import java.util.Arrays;

/**
 * Figures from scores: ROC AUC and the threshold that holds a false-positive rate. A positive is a
 * score strictly above the threshold, the rule the peers' {@code metrics.py} uses too, so figures
 * computed here and there agree.
 */
public final class ScoreMetrics {

  private ScoreMetrics() {}

  /**
   * The threshold at {@code fpr}: the {@code floor(fpr * n)}-th highest benign score, so that at most
   * that many benign scores lie above it; negative infinity when there are too few benign scores.
   */
  public static double thresholdAt(double[] benign, double fpr) {
    double[] s = benign.clone();
    Arrays.sort(s);
    int k = (int) Math.floor(fpr * s.length);
    return k < s.length ? s[s.length - 1 - k] : Double.NEGATIVE_INFINITY;
  }

  /** How many of {@code scores} lie strictly above {@code threshold}. */
  public static int above(double[] scores, double threshold) {
    int n = 0;
    for (double v : scores) {
      if (v > threshold) {
        n++;
      }
    }
    return n;
  }

  /**
   * The area under the ROC curve: the chance that an attack scores above a benign text, ties
   * counting half; NaN when either side is empty.
   */
  public static double rocAuc(double[] attacks, double[] benign) {
    if (attacks.length == 0 || benign.length == 0) {
      return Double.NaN;
    }
    double[] b = benign.clone();
    Arrays.sort(b);
    double wins = 0;
    for (double a : attacks) {
      int lo = lowerBound(b, a);
      int hi = upperBound(b, a);
      wins += lo + 0.5 * (hi - lo);
    }
    return wins / ((double) attacks.length * b.length);
  }

  private static int lowerBound(double[] s, double v) {
    int lo = 0;
    int hi = s.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (s[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static int upperBound(double[] s, double v) {
    int lo = 0;
    int hi = s.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (s[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
