package io.screenmesh.image.ocr;

import io.screenmesh.image.DecodedImage;

/**
 * An 8-bit luminance image and the pre-processing that OCR of real attacks needs: grayscale,
 * contrast stretch, inversion of light-on-dark text, scaling and quarter-turn rotation.
 *
 * @param width width in pixels
 * @param height height in pixels
 * @param pixels {@code width * height} luminance bytes, row-major
 */
public record GrayImage(int width, int height, byte[] pixels) {

  /** Checks the raster's size. */
  public GrayImage {
    if (width < 1 || height < 1 || (long) width * height != pixels.length) {
      throw new IllegalArgumentException("gray raster size differs: " + pixels.length + " != " + width + " * " + height);
    }
  }

  /**
   * The luminance of {@code image} (Rec. 601 weights); transparent pixels are composited over
   * white, as a viewer on a light page shows them.
   */
  public static GrayImage of(DecodedImage image) {
    int n = image.width() * image.height();
    int c = image.channels();
    byte[] src = image.pixels();
    byte[] out = new byte[n];
    for (int i = 0, o = 0; i < n; i++, o += c) {
      int r = src[o] & 0xff;
      int g = src[o + 1] & 0xff;
      int b = src[o + 2] & 0xff;
      int y = (r * 299 + g * 587 + b * 114 + 500) / 1000;
      if (c == 4) {
        int a = src[o + 3] & 0xff;
        y = (y * a + 255 * (255 - a) + 127) / 255;
      }
      out[i] = (byte) y;
    }
    return new GrayImage(image.width(), image.height(), out);
  }

  /** The histogram of the luminance values. */
  int[] histogram() {
    int[] h = new int[256];
    for (byte p : pixels) {
      h[p & 0xff]++;
    }
    return h;
  }

  /** The luminance at the {@code q} quantile (0..1). */
  static int quantile(int[] histogram, long total, double q) {
    long target = (long) Math.floor(q * (total - 1));
    long seen = 0;
    for (int v = 0; v < 256; v++) {
      seen += histogram[v];
      if (seen > target) {
        return v;
      }
    }
    return 255;
  }

  /**
   * Stretches the luminance between its darkest and lightest levels (ignoring the extreme
   * 0.01 %, single-pixel noise) to the full range, so grey on grey text gets the contrast
   * Tesseract's binarization needs; unchanged when the image is nearly flat (less than 4 levels
   * apart), where stretching would only amplify noise. The cut is that small because text is a
   * small share of an image's pixels (a line of 12 px text on a 760×760 image is about 0.2 %):
   * percentiles like 1 and 99 clip the text into the background.
   */
  public GrayImage stretched() {
    int[] h = histogram();
    int lo = quantile(h, pixels.length, 0.0001);
    int hi = quantile(h, pixels.length, 0.9999);
    if (hi - lo < 4 || (lo == 0 && hi == 255)) {
      return this;
    }
    byte[] lut = new byte[256];
    for (int v = 0; v < 256; v++) {
      lut[v] = (byte) Math.clamp(Math.round((v - lo) * 255.0 / (hi - lo)), 0, 255);
    }
    byte[] out = new byte[pixels.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = lut[pixels[i] & 0xff];
    }
    return new GrayImage(width, height, out);
  }

  /**
   * The share of pixels that differ by at most 2 levels from their right and lower neighbours:
   * near 1 for rendered text on flat or gradient backgrounds, far lower for photos.
   */
  public double smoothShare() {
    long smooth = 0;
    for (int y = 0; y + 1 < height; y++) {
      int row = y * width;
      for (int x = 0; x + 1 < width; x++) {
        int v = pixels[row + x] & 0xff;
        if (Math.abs(v - (pixels[row + x + 1] & 0xff)) <= 2 && Math.abs(v - (pixels[row + width + x] & 0xff)) <= 2) {
          smooth++;
        }
      }
    }
    long n = (long) Math.max(1, width - 1) * Math.max(1, height - 1);
    return (double) smooth / n;
  }

  /** The share of pixels at least as light as {@code level}. */
  public double share(int level) {
    int[] h = histogram();
    long n = 0;
    for (int v = level; v < 256; v++) {
      n += h[v];
    }
    return (double) n / pixels.length;
  }

  /** The pixels at least as light as {@code level} in black on white, the rest white. */
  public GrayImage layer(int level) {
    byte[] out = new byte[pixels.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (pixels[i] & 0xff) >= level ? 0 : (byte) 255;
    }
    return new GrayImage(width, height, out);
  }

  /** True when most of the image is dark, so its text, if any, is likely light on dark. */
  public boolean darkBackground() {
    return quantile(histogram(), pixels.length, 0.5) < 100;
  }

  /** The negative image. */
  public GrayImage inverted() {
    byte[] out = new byte[pixels.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) ~pixels[i];
    }
    return new GrayImage(width, height, out);
  }

  /** The image scaled by {@code factor} with bilinear interpolation (area-averaged when shrinking by 2 or more). */
  public GrayImage scaled(double factor) {
    int w = Math.max(1, (int) Math.round(width * factor));
    int h = Math.max(1, (int) Math.round(height * factor));
    byte[] out = new byte[w * h];
    double inv = 1.0 / factor;
    for (int y = 0; y < h; y++) {
      double sy = Math.clamp((y + 0.5) * inv - 0.5, 0, height - 1);
      int y0 = (int) sy;
      int y1 = Math.min(y0 + 1, height - 1);
      double fy = sy - y0;
      for (int x = 0; x < w; x++) {
        double sx = Math.clamp((x + 0.5) * inv - 0.5, 0, width - 1);
        int x0 = (int) sx;
        int x1 = Math.min(x0 + 1, width - 1);
        double fx = sx - x0;
        double top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
        double bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
        out[y * w + x] = (byte) (int) Math.round(top * (1 - fy) + bottom * fy);
      }
    }
    return new GrayImage(w, h, out);
  }

  private int at(int x, int y) {
    return pixels[y * width + x] & 0xff;
  }

  /** The image turned clockwise by {@code degrees}: 0, 90, 180 or 270. */
  public GrayImage rotated(int degrees) {
    if (degrees == 0) {
      return this;
    }
    boolean quarter = degrees == 90 || degrees == 270;
    if (!quarter && degrees != 180) {
      throw new IllegalArgumentException("rotation must be 0, 90, 180 or 270: " + degrees);
    }
    int w = quarter ? height : width;
    int h = quarter ? width : height;
    byte[] out = new byte[pixels.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int nx;
        int ny;
        switch (degrees) {
          case 90 -> { nx = height - 1 - y; ny = x; }
          case 180 -> { nx = width - 1 - x; ny = height - 1 - y; }
          default -> { nx = y; ny = width - 1 - x; }
        }
        out[ny * w + nx] = pixels[y * width + x];
      }
    }
    return new GrayImage(w, h, out);
  }
}
