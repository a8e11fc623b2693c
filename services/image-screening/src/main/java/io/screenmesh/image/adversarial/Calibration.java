package io.screenmesh.image.adversarial;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;

/**
 * A detection threshold calibrated on benign images at a target false-positive rate, bound to the
 * model (its SHA-256) and the squeezers it was measured with: a threshold only means something
 * for the exact model and squeeze that produced the scores. Stored as a properties file.
 *
 * @param threshold a score above it is flagged
 * @param modelSha256 the model file's SHA-256, lower-case hex
 * @param squeezers the squeezers, as {@link Squeezer#format}
 * @param targetFpr the false-positive rate asked for
 * @param benignFpr the rate of the benign images above the threshold
 * @param benignCount how many benign images were scored
 */
public record Calibration(double threshold, String modelSha256, String squeezers, double targetFpr,
    double benignFpr, int benignCount) {

  /**
   * The smallest threshold that flags at most {@code fpr} of {@code benign}: a score flags when
   * it is strictly above it.
   *
   * @throws IllegalArgumentException when there are no scores or {@code fpr} is outside [0, 1)
   */
  public static Calibration at(float[] benign, double fpr, String modelSha256, String squeezers) {
    if (benign.length == 0) {
      throw new IllegalArgumentException("no benign scores to calibrate on");
    }
    if (!(fpr >= 0 && fpr < 1)) {
      throw new IllegalArgumentException("target false-positive rate must be in [0, 1), got " + fpr);
    }
    float[] s = benign.clone();
    Arrays.sort(s);
    int allowed = (int) Math.floor(fpr * s.length);
    double threshold = s[s.length - 1 - allowed];
    int above = 0;
    for (float v : s) {
      if (v > threshold) {
        above++;
      }
    }
    return new Calibration(threshold, modelSha256, squeezers, fpr, (double) above / s.length, s.length);
  }

  /** True when {@code score} is above the threshold. */
  public boolean flags(float score) {
    return score > threshold;
  }

  /**
   * Reads a file written by {@link #write}.
   *
   * @throws IllegalArgumentException when the file is missing or a key is missing or malformed
   */
  public static Calibration read(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the threshold file " + file + ": " + e.getMessage(), e);
    }
    try {
      return new Calibration(Double.parseDouble(required(p, "threshold", file)), required(p, "model.sha256", file),
          required(p, "squeezers", file), Double.parseDouble(p.getProperty("target.fpr", "NaN")),
          Double.parseDouble(p.getProperty("benign.fpr", "NaN")), Integer.parseInt(p.getProperty("benign.count", "0")));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("threshold file " + file + " holds a malformed number: " + e.getMessage(), e);
    }
  }

  private static String required(Properties p, String key, Path file) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("threshold file " + file + " lacks " + key);
    }
    return v.trim();
  }

  /** Writes the calibration to {@code file}. */
  public void write(Path file) {
    Properties p = new Properties();
    p.setProperty("threshold", Double.toString(threshold));
    p.setProperty("model.sha256", modelSha256);
    p.setProperty("squeezers", squeezers);
    p.setProperty("target.fpr", Double.toString(targetFpr));
    p.setProperty("benign.fpr", String.format(Locale.ROOT, "%.4f", benignFpr));
    p.setProperty("benign.count", Integer.toString(benignCount));
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, "screenmesh calibrate: squeeze-based adversarial detection threshold");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Checks that this calibration belongs to {@code classifier} and its squeezers.
   *
   * @throws IllegalArgumentException naming both hashes (or squeezer lists) when it does not
   */
  public void checkFor(OnnxClassifier classifier, Path file) {
    if (!modelSha256.equalsIgnoreCase(classifier.sha256())) {
      throw new IllegalArgumentException("threshold file " + file + " was calibrated for model sha256 " + modelSha256
          + ", but " + classifier.config().model() + " has sha256 " + classifier.sha256()
          + ": run ./screenmesh calibrate for this model");
    }
    String mine = Squeezer.format(classifier.config().squeezers());
    if (!squeezers.equals(mine)) {
      throw new IllegalArgumentException("threshold file " + file + " was calibrated with squeezers " + squeezers
          + ", but the detector is configured with " + mine + ": run ./screenmesh calibrate again");
    }
  }
}
