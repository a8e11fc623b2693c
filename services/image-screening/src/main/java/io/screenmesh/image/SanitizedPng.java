package io.screenmesh.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Re-encodes decoded pixels as a PNG that carries nothing but the pixels: no text, EXIF, XMP,
 * colour profile or private chunk of the original survives, because none is read from it.
 */
public final class SanitizedPng {

  private SanitizedPng() {}

  /** Encodes {@code image} as PNG (8-bit RGB, or RGBA when it has alpha). */
  public static byte[] encode(DecodedImage image) {
    return encode(image.width(), image.height(), image.channels(), image.pixels());
  }

  /**
   * Encodes interleaved pixels in the layout of {@link DecodedImage#pixels()} (such as squeezed
   * ones) as PNG: 8-bit RGB, or RGBA when {@code channels} is 4.
   *
   * @throws IllegalArgumentException when {@code channels} is not 3 or 4 or {@code px} does not
   *     hold {@code w * h * channels} bytes
   */
  public static byte[] encode(int w, int h, int channels, byte[] px) {
    if ((channels != 3 && channels != 4) || (long) w * h * channels != px.length) {
      throw new IllegalArgumentException("pixels do not match the shape: " + px.length + " bytes for "
          + w + "x" + h + "x" + channels);
    }
    boolean alpha = channels == 4;
    BufferedImage out = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    int[] row = new int[w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = px[o++] & 0xFF;
        int g = px[o++] & 0xFF;
        int b = px[o++] & 0xFF;
        int a = alpha ? px[o++] & 0xFF : 0xFF;
        row[x] = (a << 24) | (r << 16) | (g << 8) | b;
      }
      out.setRGB(0, y, w, 1, row, 0, w);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(1024, w * h));
    try {
      if (!ImageIO.write(out, "png", bytes)) {
        throw new IllegalStateException("no PNG writer is installed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("PNG encoding to memory failed", e);
    }
    return bytes.toByteArray();
  }
}
