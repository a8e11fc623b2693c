package io.screenmesh.image.adversarial;

import io.screenmesh.image.DecodedImage;
import io.screenmesh.image.ImageFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The committed MNIST fixtures of scripts/mnist/mnist_adversarial.py (28×28 grayscale digits one
 * after another, gzipped) and the committed model, with the detector keys that describe it.
 */
final class MnistFixtures {

  /** The model trained by the script, committed beside the demo samples. */
  static final Path MODEL = Path.of("../../samples/mnist/mnist-cnn.onnx");

  private MnistFixtures() {}

  /** The digits of {@code set} (calibrate, clean, fgsm, bim, cw) as RGB images. */
  static List<DecodedImage> digits(String set) {
    byte[] raw;
    try (InputStream in = MnistFixtures.class.getResourceAsStream("/mnist/" + set + ".u8.gz")) {
      if (in == null) {
        throw new IllegalStateException("fixture mnist/" + set + ".u8.gz is missing");
      }
      raw = new GZIPInputStream(in).readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<DecodedImage> out = new ArrayList<>();
    for (int off = 0; off < raw.length; off += 784) {
      byte[] rgb = new byte[784 * 3];
      for (int p = 0; p < 784; p++) {
        rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = raw[off + p];
      }
      out.add(new DecodedImage(ImageFormat.PNG, 28, 28, 3, rgb));
    }
    return out;
  }

  /** The detector keys for the MNIST model (the script's normalization, Xu et al.'s MNIST squeezers). */
  static Map<String, String> keys() {
    Map<String, String> k = new HashMap<>();
    k.put("model", MODEL.toString());
    k.put("height", "28");
    k.put("width", "28");
    k.put("channels", "1");
    k.put("mean", "0.1307");
    k.put("std", "0.3081");
    k.put("squeezers", "bit-depth:1,bit-depth:1+median:2");
    return k;
  }
}
