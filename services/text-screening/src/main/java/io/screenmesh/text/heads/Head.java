package io.screenmesh.text.heads;

/**
 * One fitted head: a logistic model over {@link FeatureSpec} features and its threshold.
 *
 * @param category what it recognizes
 * @param model the coefficients
 * @param thresholdLogit the log-odds above which a window is a hit, calibrated at the target
 *     false-positive rate on out-of-fold benign scores
 */
public record Head(HeadCategory category, LogisticRegression.Model model, double thresholdLogit) {

  /** How far {@code x} is above the threshold, in log-odds (negative below). */
  public double margin(float[] x) {
    return model.logit(x) - thresholdLogit;
  }
}
