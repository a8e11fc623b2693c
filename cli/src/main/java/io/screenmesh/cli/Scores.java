package io.screenmesh.cli;

import java.util.List;

/**
 * ROC AUC and the score threshold at a false-positive rate, from per-item scores. A positive is a
 * score strictly above the threshold, as in the peers' {@code metrics.py}, so the figures agree.
 */
final class Scores {

  private Scores() {}

  /** The {@code floor(fpr * n)}-th highest benign score; negative infinity without enough benign scores. */
  static double thresholdAt(List<Double> benign, double fpr) {
    double[] desc = benign.stream().mapToDouble(Double::doubleValue).map(v -> -v).sorted().map(v -> -v).toArray();
    int k = (int) Math.floor(fpr * desc.length);
    return k < desc.length ? desc[k] : Double.NEGATIVE_INFINITY;
  }

  /** P(attack score > benign score) + P(tie) / 2, by the rank sum; NaN when a side is empty. */
  static double rocAuc(List<Double> attacks, List<Double> benign) {
    int p = attacks.size();
    int n = benign.size();
    if (p == 0 || n == 0) {
      return Double.NaN;
    }
    double[][] all = new double[p + n][];
    for (int i = 0; i < p; i++) {
      all[i] = new double[] {attacks.get(i), 1};
    }
    for (int i = 0; i < n; i++) {
      all[p + i] = new double[] {benign.get(i), 0};
    }
    java.util.Arrays.sort(all, (a, b) -> Double.compare(a[0], b[0]));
    double rankSum = 0;
    for (int i = 0; i < all.length;) {
      int j = i;
      while (j < all.length && all[j][0] == all[i][0]) {
        j++;
      }
      double midRank = (i + 1 + j) / 2.0;
      for (int k = i; k < j; k++) {
        rankSum += all[k][1] * midRank;
      }
      i = j;
    }
    return (rankSum - p * (p + 1) / 2.0) / ((double) p * n);
  }
}
