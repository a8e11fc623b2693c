package io.screenmesh.image.adversarial;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's classifier for the squeeze-based adversarial detector, read from the keys under
 * {@code screenmesh.image.detectors.adversarial.*} (the same names are the flags of
 * {@code ./screenmesh calibrate}):
 *
 * <ul>
 *   <li>{@code model}: the ONNX file; without it the detector is off (unavailable, with why);
 *   <li>{@code height}, {@code width}: the model's input size; images are resized to it;
 *   <li>{@code channels}: 1 (luma) or 3 (RGB);
 *   <li>{@code layout}: {@code nchw} (default) or {@code nhwc};
 *   <li>{@code scale} (default 1/255), {@code mean} (default 0), {@code std} (default 1): the
 *       model sees {@code (pixel * scale - mean) / std}; mean and std take one value, or one per
 *       channel separated by commas;
 *   <li>{@code output}: {@code logits} (default; softmax is applied) or {@code probabilities};
 *   <li>{@code squeezers}: default {@value #DEFAULT_SQUEEZERS} (Xu et al.'s colour setting);
 *       {@code bit-depth:1,median:2} is their MNIST setting;
 *   <li>{@code threshold-file}: the file {@code ./screenmesh calibrate} wrote for this model;
 *   <li>{@code threads}: ONNX Runtime intra-op threads (default 1).
 * </ul>
 *
 * @param model the ONNX file
 * @param height input height
 * @param width input width
 * @param channels 1 or 3
 * @param nchw true for NCHW input, false for NHWC
 * @param scale the factor from a 0..255 pixel to the model's units
 * @param mean per channel, in the model's units
 * @param std per channel, in the model's units
 * @param probabilities true when the model already outputs probabilities
 * @param squeezers the squeezers, at least one
 * @param thresholdFile the calibrated threshold, if configured
 * @param threads intra-op threads of the session
 */
public record ClassifierConfig(Path model, int height, int width, int channels, boolean nchw, float scale,
    float[] mean, float[] std, boolean probabilities, List<Squeezer> squeezers, Optional<Path> thresholdFile,
    int threads) {

  /** The configuration prefix the keys are read under, for messages. */
  public static final String PREFIX = "screenmesh.image.detectors.adversarial.";

  /** The squeezers used when none are configured. */
  public static final String DEFAULT_SQUEEZERS = "bit-depth:5,median:2";

  /**
   * Reads the keys (without prefix) of {@code keys}.
   *
   * @return empty when no model is configured
   * @throws IllegalArgumentException naming the key, when a value is missing or out of range
   */
  public static Optional<ClassifierConfig> from(Map<String, String> keys) {
    String model = keys.getOrDefault("model", "").trim();
    if (model.isEmpty()) {
      return Optional.empty();
    }
    Path path = Path.of(model);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(PREFIX + "model: no such file: " + path.toAbsolutePath());
    }
    int height = positive(keys, "height");
    int width = positive(keys, "width");
    int channels = positive(keys, "channels");
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException(PREFIX + "channels must be 1 or 3, got " + channels);
    }
    String layout = keys.getOrDefault("layout", "nchw").trim().toLowerCase(Locale.ROOT);
    if (!layout.equals("nchw") && !layout.equals("nhwc")) {
      throw new IllegalArgumentException(PREFIX + "layout must be nchw or nhwc, got " + layout);
    }
    String output = keys.getOrDefault("output", "logits").trim().toLowerCase(Locale.ROOT);
    if (!output.equals("logits") && !output.equals("probabilities")) {
      throw new IllegalArgumentException(PREFIX + "output must be logits or probabilities, got " + output);
    }
    float scale = number(keys, "scale", 1f / 255);
    float[] mean = perChannel(keys, "mean", 0f, channels);
    float[] std = perChannel(keys, "std", 1f, channels);
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException(PREFIX + "std must be positive, got " + s);
      }
    }
    List<Squeezer> squeezers;
    try {
      squeezers = Squeezer.parseList(keys.getOrDefault("squeezers", DEFAULT_SQUEEZERS));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(PREFIX + "squeezers: " + e.getMessage(), e);
    }
    String threshold = keys.getOrDefault("threshold-file", "").trim();
    int threads = keys.containsKey("threads") ? positive(keys, "threads") : 1;
    return Optional.of(new ClassifierConfig(path, height, width, channels, layout.equals("nchw"), scale, mean, std,
        output.equals("probabilities"), squeezers, threshold.isEmpty() ? Optional.empty() : Optional.of(Path.of(threshold)),
        threads));
  }

  /** The input shape the configuration expects, batch first ({@code -1}: any batch size). */
  public long[] expectedShape() {
    return nchw ? new long[] {-1, channels, height, width} : new long[] {-1, height, width, channels};
  }

  /** The classifier's input values per image. */
  public int inputSize() {
    return height * width * channels;
  }

  private static int positive(Map<String, String> keys, String key) {
    String v = keys.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(PREFIX + key + " is required when a model is configured");
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 1) {
        throw new IllegalArgumentException(PREFIX + key + " must be positive, got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(PREFIX + key + " is not a whole number: " + v);
    }
  }

  private static float number(Map<String, String> keys, String key, float fallback) {
    String v = keys.get(key);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Float.parseFloat(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(PREFIX + key + " is not a number: " + v);
    }
  }

  private static float[] perChannel(Map<String, String> keys, String key, float fallback, int channels) {
    String v = keys.get(key);
    float[] out = new float[channels];
    if (v == null || v.isBlank()) {
      java.util.Arrays.fill(out, fallback);
      return out;
    }
    List<Float> values = new ArrayList<>();
    for (String p : v.split(",")) {
      try {
        values.add(Float.parseFloat(p.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(PREFIX + key + " is not a number list: " + v);
      }
    }
    if (values.size() != 1 && values.size() != channels) {
      throw new IllegalArgumentException(PREFIX + key + " needs 1 or " + channels + " values, got " + values.size());
    }
    for (int c = 0; c < channels; c++) {
      out[c] = values.get(values.size() == 1 ? 0 : c);
    }
    return out;
  }
}
