package io.screenmesh.image;

import io.screenmesh.kernels.Nhwc;
import io.screenmesh.kernels.Squeeze;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Feature squeezing of decoded images on the compute backend: bit-depth reduction, then median
 * smoothing of the reduced pixels, the two squeezers of Xu et al., "Feature Squeezing"
 * (NDSS 2018), chained. Images of the same shape go through one NHWC call per squeezer (up to
 * {@value #MAX_BATCH_BYTES} bytes per call); an image alone in its shape is squeezed in place of
 * its own array, without a copy. Each squeezer runs once per image: the bit-depth variant is the
 * median's input. Thread-safe.
 */
public final class ImageSqueeze {

  /**
   * The most pixel bytes gathered into one NHWC call. Above it, a shape's images are split into
   * several calls, so that a batch of large images never needs one array of their summed size.
   */
  public static final int MAX_BATCH_BYTES = 64 << 20;

  /**
   * What to squeeze.
   *
   * @param bitDepth bits kept per sample, 1 to 8; 8 keeps every value (bit depth off)
   * @param median the median window, 2 or 3, or 0 for none
   */
  public record Settings(int bitDepth, int median) {

    /**
     * The defaults, 5 bits and a 2×2 median: the paper's setting for colour images
     * (CIFAR-10 and ImageNet), which left legitimate accuracy nearly intact while removing the
     * small perturbations of most adversarial examples.
     */
    public static final Settings DEFAULTS = new Settings(5, 2);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException when bit depth is outside 1..8 or the median is not 0, 2 or 3
     */
    public Settings {
      if (bitDepth < 1 || bitDepth > 8) {
        throw new IllegalArgumentException("squeeze bit depth must be 1..8 (8 = off), got " + bitDepth);
      }
      if (median != 0 && median != 2 && median != 3) {
        throw new IllegalArgumentException("squeeze median window must be 0 (off), 2 or 3, got " + median);
      }
    }

    /** True when some squeezer changes the pixels. */
    public boolean active() {
      return bitDepth < 8 || median > 0;
    }
  }

  /**
   * The squeezed variants of one image, in the layout of {@link DecodedImage#pixels()}. A
   * variant whose squeezer is off is the array it would have read (never a copy); callers must
   * not modify the arrays.
   *
   * @param bitDepth the pixels reduced to the configured bit depth
   * @param squeezed {@code bitDepth} after median smoothing: the full configured squeeze
   */
  public record Variants(byte[] bitDepth, byte[] squeezed) {}

  private record Shape(int height, int width, int channels) {}

  private final Squeeze squeeze;
  private final Settings settings;

  /**
   * Creates the step.
   *
   * @param squeeze the backend's facade; must outlive this step
   * @param settings the squeezers to apply
   */
  public ImageSqueeze(Squeeze squeeze, Settings settings) {
    this.squeeze = squeeze;
    this.settings = settings;
  }

  /** The squeezers applied. */
  public Settings settings() {
    return settings;
  }

  /** Squeezes one image. */
  public Variants apply(DecodedImage image) {
    return apply(List.of(image)).getFirst();
  }

  /**
   * Squeezes {@code images}, one NHWC call per squeezer for each shape among them.
   *
   * @return the variants of each image, in order
   */
  public List<Variants> apply(List<DecodedImage> images) {
    Variants[] out = new Variants[images.size()];
    Map<Shape, List<Integer>> shapes = new LinkedHashMap<>();
    for (int i = 0; i < images.size(); i++) {
      DecodedImage im = images.get(i);
      shapes.computeIfAbsent(new Shape(im.height(), im.width(), im.channels()), s -> new ArrayList<>()).add(i);
    }
    for (List<Integer> same : shapes.values()) {
      int bytes = images.get(same.getFirst()).pixels().length;
      int perCall = Math.max(1, MAX_BATCH_BYTES / bytes);
      for (int from = 0; from < same.size(); from += perCall) {
        squeezeSameShape(images, same.subList(from, Math.min(same.size(), from + perCall)), out);
      }
    }
    return List.of(out);
  }

  private void squeezeSameShape(List<DecodedImage> images, List<Integer> which, Variants[] out) {
    int n = which.size();
    DecodedImage first = images.get(which.getFirst());
    if (!settings.active()) {
      for (int i : which) {
        byte[] px = images.get(i).pixels();
        out[i] = new Variants(px, px);
      }
      return;
    }
    int size = first.pixels().length;
    byte[] batch = n == 1 ? first.pixels() : gather(images, which, size);
    byte[] reduced = batch;
    if (settings.bitDepth() < 8) {
      reduced = new byte[batch.length];
      squeeze.bitDepth(batch, reduced, settings.bitDepth());
    }
    byte[] smoothed = reduced;
    if (settings.median() > 0) {
      smoothed = new byte[reduced.length];
      squeeze.median(reduced, smoothed, new Nhwc(n, first.height(), first.width(), first.channels()),
          settings.median());
    }
    for (int k = 0; k < n; k++) {
      int i = which.get(k);
      byte[] bits = reduced == batch ? images.get(i).pixels() : slice(reduced, k, size, n);
      byte[] squeezed = smoothed == reduced ? bits : slice(smoothed, k, size, n);
      out[i] = new Variants(bits, squeezed);
    }
  }

  private static byte[] gather(List<DecodedImage> images, List<Integer> which, int size) {
    byte[] batch = new byte[which.size() * size];
    for (int k = 0; k < which.size(); k++) {
      System.arraycopy(images.get(which.get(k)).pixels(), 0, batch, k * size, size);
    }
    return batch;
  }

  private static byte[] slice(byte[] batch, int k, int size, int n) {
    if (n == 1) {
      return batch;
    }
    byte[] one = new byte[size];
    System.arraycopy(batch, k * size, one, 0, size);
    return one;
  }
}
