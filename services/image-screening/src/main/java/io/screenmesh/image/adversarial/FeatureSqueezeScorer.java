package io.screenmesh.image.adversarial;

import io.screenmesh.image.DecodedImage;
import io.screenmesh.kernels.Nhwc;
import io.screenmesh.kernels.Squeeze;
import java.util.List;

/**
 * The Feature Squeezing score of Xu et al. (NDSS 2018): the classifier runs on each image and on
 * its squeezed variants, and the score is the largest L1 distance between the softmax of the
 * image and the softmax of a variant (0 to 2). Legitimate inputs barely move under squeezing;
 * adversarial perturbations, tuned to the exact pixels, mostly do.
 *
 * <p>A batch is handled in three steps: every image is resized to the model's input (bilinear,
 * to luma when the model takes one channel; alpha is ignored) into one uint8 NHWC batch; each
 * squeezer runs once over that batch on the compute backend ({@link Squeeze}); the originals and
 * all variants go through the classifier in one run. The squeeze happens at the model's input
 * size, where the paper applies it, so the engine's own variants (at the image's size, chained)
 * are not reused. Thread-safe.
 */
public final class FeatureSqueezeScorer {

  private final OnnxClassifier classifier;
  private final Squeeze squeeze;

  /**
   * Creates a scorer.
   *
   * @param classifier the model; must outlive the scorer
   * @param squeeze the compute backend's squeeze facade
   */
  public FeatureSqueezeScorer(OnnxClassifier classifier, Squeeze squeeze) {
    this.classifier = classifier;
    this.squeeze = squeeze;
  }

  /** The classifier. */
  public OnnxClassifier classifier() {
    return classifier;
  }

  /** Scores {@code images}, one score per image in order, in [0, 2]. */
  public float[] scores(List<DecodedImage> images) {
    ClassifierConfig c = classifier.config();
    int n = images.size();
    int size = c.inputSize();
    byte[] batch = new byte[n * size];
    for (int i = 0; i < n; i++) {
      resize(images.get(i), c.height(), c.width(), c.channels(), batch, i * size);
    }
    List<Squeezer> squeezers = c.squeezers();
    float[] input = new float[(1 + squeezers.size()) * n * size];
    toModel(batch, input, 0, c);
    Nhwc shape = new Nhwc(n, c.height(), c.width(), c.channels());
    byte[] squeezed = new byte[batch.length];
    for (int s = 0; s < squeezers.size(); s++) {
      squeezers.get(s).apply(squeeze, batch, squeezed, shape);
      toModel(squeezed, input, (s + 1) * n * size, c);
    }
    float[][] p = classifier.probabilities(input, (1 + squeezers.size()) * n);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      float best = 0;
      for (int s = 1; s <= squeezers.size(); s++) {
        best = Math.max(best, l1(p[i], p[s * n + i]));
      }
      out[i] = best;
    }
    return out;
  }

  private static float l1(float[] a, float[] b) {
    float d = 0;
    for (int k = 0; k < a.length; k++) {
      d += Math.abs(a[k] - b[k]);
    }
    return d;
  }

  /** Writes {@code n} uint8 NHWC images as the model's floats, normalized, in its layout. */
  private static void toModel(byte[] px, float[] out, int offset, ClassifierConfig c) {
    int hw = c.height() * c.width();
    int ch = c.channels();
    int images = px.length / (hw * ch);
    float[] mul = new float[ch];
    float[] add = new float[ch];
    for (int k = 0; k < ch; k++) {
      mul[k] = c.scale() / c.std()[k];
      add[k] = -c.mean()[k] / c.std()[k];
    }
    for (int i = 0; i < images; i++) {
      int base = i * hw * ch;
      for (int p = 0; p < hw; p++) {
        for (int k = 0; k < ch; k++) {
          float v = (px[base + p * ch + k] & 0xFF) * mul[k] + add[k];
          out[offset + base + (c.nchw() ? k * hw + p : p * ch + k)] = v;
        }
      }
    }
  }

  /**
   * Resizes {@code im} to {@code h}×{@code w} with bilinear sampling (pixel centres aligned),
   * as {@code channels} interleaved bytes at {@code out[offset]}; the same size is copied as is.
   */
  static void resize(DecodedImage im, int h, int w, int channels, byte[] out, int offset) {
    int sc = im.channels();
    byte[] px = im.pixels();
    int sw = im.width();
    int sh = im.height();
    float fy = (float) sh / h;
    float fx = (float) sw / w;
    int o = offset;
    float[] rgb = new float[3];
    for (int y = 0; y < h; y++) {
      float syf = Math.max(0, (y + 0.5f) * fy - 0.5f);
      int y0 = Math.min((int) syf, sh - 1);
      int y1 = Math.min(y0 + 1, sh - 1);
      float wy = syf - y0;
      for (int x = 0; x < w; x++) {
        float sxf = Math.max(0, (x + 0.5f) * fx - 0.5f);
        int x0 = Math.min((int) sxf, sw - 1);
        int x1 = Math.min(x0 + 1, sw - 1);
        float wx = sxf - x0;
        for (int k = 0; k < 3; k++) {
          float a = px[(y0 * sw + x0) * sc + k] & 0xFF;
          float b = px[(y0 * sw + x1) * sc + k] & 0xFF;
          float cc = px[(y1 * sw + x0) * sc + k] & 0xFF;
          float d = px[(y1 * sw + x1) * sc + k] & 0xFF;
          rgb[k] = (a * (1 - wx) + b * wx) * (1 - wy) + (cc * (1 - wx) + d * wx) * wy;
        }
        if (channels == 1) {
          out[o++] = (byte) Math.round(0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2]);
        } else {
          for (int k = 0; k < 3; k++) {
            out[o++] = (byte) Math.round(rgb[k]);
          }
        }
      }
    }
  }
}
