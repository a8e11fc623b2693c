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
    int w = image.width();
    int h = image.height();
    boolean alpha = image.channels() == 4;
    BufferedImage out = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    byte[] px = image.pixels();
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
