package io.screenmesh.image.hidden;

import io.screenmesh.image.DecodedImage;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The thresholds of the hidden-signal detector: a statistic of {@link LsbStatistics} above its
 * threshold is a sign of a payload. Calibrated on benign images (the largest value at a target
 * false-positive rate per statistic) and stored as a properties file, or set as keys.
 *
 * @param chiSquare the chi-square attack's p-value threshold
 * @param rsRate the RS analysis rate threshold
 * @param flatNoise the flat-region LSB noise threshold
 */
public record HiddenSignalBaseline(double chiSquare, double rsRate, double flatNoise) {

  /**
   * The defaults, measured with {@code ./screenmesh calibrate --detector hidden-signal} on the
   * benign calibration images of HiddenSignalDetectorTest (Debian python3-skimage's photos and
   * rendered text images; bench/RESULTS.md) at 0 false positives, with a margin.
   */
  public static final HiddenSignalBaseline DEFAULTS = new HiddenSignalBaseline(0.5, 0.12, 0.35);

  /** Flat samples needed before {@link LsbStatistics#flatNoise} says anything. */
  public static final int MIN_FLAT = 2000;

  /** The statistics of one image: chi-square p, RS rate, flat noise. */
  public static double[] statistics(DecodedImage im) {
    return new double[] {
      LsbStatistics.chiSquare(im.pixels(), im.width(), im.height(), im.channels()),
      LsbStatistics.rsRate(im.pixels(), im.width(), im.height(), im.channels()),
      LsbStatistics.flatNoise(im.pixels(), im.width(), im.height(), im.channels(), MIN_FLAT)
    };
  }

  /** The thresholds as an array, in the order of {@link #statistics}. */
  public double[] thresholds() {
    return new double[] {chiSquare, rsRate, flatNoise};
  }

  /**
   * Per statistic, the smallest threshold that at most {@code fpr} of {@code benign} exceed.
   *
   * @throws IllegalArgumentException when there are no images
   */
  public static HiddenSignalBaseline calibrate(List<DecodedImage> benign, double fpr) {
    if (benign.isEmpty()) {
      throw new IllegalArgumentException("no benign images to calibrate on");
    }
    double[][] s = new double[3][benign.size()];
    for (int i = 0; i < benign.size(); i++) {
      double[] v = statistics(benign.get(i));
      for (int k = 0; k < 3; k++) {
        s[k][i] = v[k];
      }
    }
    double[] t = new double[3];
    int allowed = (int) Math.floor(fpr * benign.size());
    for (int k = 0; k < 3; k++) {
      Arrays.sort(s[k]);
      t[k] = s[k][s[k].length - 1 - allowed];
    }
    return new HiddenSignalBaseline(t[0], t[1], t[2]);
  }

  /**
   * Reads thresholds from detector keys: {@code baseline-file} (written by {@link #write}), then
   * {@code chi-square-threshold}, {@code rs-threshold} and {@code flat-noise-threshold} over it,
   * then the defaults.
   *
   * @throws IllegalArgumentException naming the key when a value is malformed
   */
  public static HiddenSignalBaseline from(Map<String, String> keys) {
    Properties p = new Properties();
    String file = keys.getOrDefault("baseline-file", "").trim();
    if (!file.isEmpty()) {
      try (Reader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the hidden-signal baseline file " + file + ": " + e.getMessage(), e);
      }
    }
    p.putAll(keys);
    return new HiddenSignalBaseline(number(p, "chi-square-threshold", DEFAULTS.chiSquare),
        number(p, "rs-threshold", DEFAULTS.rsRate), number(p, "flat-noise-threshold", DEFAULTS.flatNoise));
  }

  private static double number(Properties p, String key, double fallback) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("screenmesh.image.detectors.hidden-signal." + key + " is not a number: " + v);
    }
  }

  /** Writes the thresholds as the keys {@link #from} reads. */
  public void write(Path file, String comment) {
    Properties p = new Properties();
    p.setProperty("chi-square-threshold", String.format(Locale.ROOT, "%.6f", chiSquare));
    p.setProperty("rs-threshold", String.format(Locale.ROOT, "%.6f", rsRate));
    p.setProperty("flat-noise-threshold", String.format(Locale.ROOT, "%.6f", flatNoise));
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, comment);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
