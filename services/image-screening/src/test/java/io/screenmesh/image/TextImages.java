package io.screenmesh.image;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Renders text into test images with AWT (headless), and reads the committed photo fixtures. */
public final class TextImages {

  private TextImages() {}

  /**
   * A picture of {@code text} drawn at ({@code x}, {@code y}) on a flat background.
   *
   * @return the image and where the text was drawn
   */
  public static Rendered render(int width, int height, String text, int px, Color fg, Color bg, int x, int y) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(bg);
    g.fillRect(0, 0, width, height);
    g.dispose();
    return draw(img, text, px, fg, x, y);
  }

  /** Draws {@code text} over {@code img} (changed in place) with its top-left corner at ({@code x}, {@code y}). */
  public static Rendered draw(BufferedImage img, String text, int px, Color fg, int x, int y) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, px);
    g.setFont(font);
    g.setColor(fg);
    FontRenderContext frc = g.getFontRenderContext();
    Rectangle bounds = font.createGlyphVector(frc, text).getPixelBounds(frc, x, y + px);
    g.drawString(text, x, y + px);
    g.dispose();
    return new Rendered(img, bounds);
  }

  /**
   * Draws {@code text} over {@code img} (changed in place) as captions over photos are drawn: a
   * fill colour with a two-pixel outline of {@code outline} around it.
   */
  public static Rendered drawOutlined(BufferedImage img, String text, int px, Color fill, Color outline, int x, int y) {
    for (int dy = -2; dy <= 2; dy++) {
      for (int dx = -2; dx <= 2; dx++) {
        if (dx != 0 || dy != 0) {
          draw(img, text, px, outline, x + dx, y + dy);
        }
      }
    }
    return draw(img, text, px, fill, x, y);
  }

  /** The image turned 90 degrees clockwise, and where the text box went. */
  public static Rendered rotated90(Rendered r) {
    BufferedImage src = r.image();
    int w = src.getWidth();
    int h = src.getHeight();
    BufferedImage out = new BufferedImage(h, w, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        out.setRGB(h - 1 - y, x, src.getRGB(x, y));
      }
    }
    Rectangle b = r.text();
    return new Rendered(out, new Rectangle(h - b.y - b.height, b.x, b.height, b.width));
  }

  /** The pixels of {@code img} as the decoder hands them to detectors (RGB). */
  public static DecodedImage decoded(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] px = new byte[w * h * 3];
    for (int y = 0, o = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = img.getRGB(x, y);
        px[o++] = (byte) (rgb >> 16);
        px[o++] = (byte) (rgb >> 8);
        px[o++] = (byte) rgb;
      }
    }
    return new DecodedImage(ImageFormat.PNG, w, h, 3, px);
  }

  /** A committed photo fixture (public-domain samples of scikit-image), without text. */
  public static BufferedImage photo(String name) {
    try (InputStream in = TextImages.class.getResourceAsStream("/photos/" + name)) {
      if (in == null) {
        throw new IllegalStateException("no fixture /photos/" + name);
      }
      return ImageIO.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A rendered image.
   *
   * @param image the pixels
   * @param text the pixel bounds of the drawn text
   */
  public record Rendered(BufferedImage image, Rectangle text) {
    /** Encoded as PNG. */
    public byte[] png() {
      return TestImages.encode(image, "png");
    }
  }
}
