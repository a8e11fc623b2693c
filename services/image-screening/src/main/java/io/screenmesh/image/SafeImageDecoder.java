package io.screenmesh.image;

import io.screenmesh.services.common.ScreeningException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes untrusted images into an RGB/RGBA raster under limits. The format is taken from the
 * magic bytes; the byte limit is checked first, then the dimensions declared in the header
 * (by our own parser and again by the ImageIO reader's header read) before any pixel is
 * decoded; any warning or failure while decoding makes the image malformed rather than
 * silently half-decoded. Thread-safe.
 */
public final class SafeImageDecoder {

  /** The reason for an empty request. */
  public static final String EMPTY = "IMAGE_EMPTY";
  /** The reason for data over the byte limit. */
  public static final String TOO_LARGE = "IMAGE_TOO_LARGE";
  /** The reason for declared dimensions over the pixel or side limit. */
  public static final String DIMENSIONS_TOO_LARGE = "IMAGE_DIMENSIONS_TOO_LARGE";
  /** The reason for data that is not an accepted format. */
  public static final String FORMAT_UNSUPPORTED = "IMAGE_FORMAT_UNSUPPORTED";

  static {
    // Decoding happens in memory; ImageIO's default disk cache would spill untrusted data to /tmp.
    ImageIO.setUseCache(false);
  }

  private final ImageLimits limits;

  /** Creates a decoder enforcing {@code limits}. */
  public SafeImageDecoder(ImageLimits limits) {
    this.limits = limits;
  }

  /**
   * Reads the header of {@code data} and checks it against the limits, decoding nothing.
   *
   * @throws ScreeningException INVALID_ARGUMENT ({@value #EMPTY}, {@value #FORMAT_UNSUPPORTED},
   *     {@code IMAGE_MALFORMED}) or RESOURCE_EXHAUSTED ({@value #TOO_LARGE},
   *     {@value #DIMENSIONS_TOO_LARGE})
   */
  public ImageHeader checkHeader(byte[] data) {
    if (data.length == 0) {
      throw ScreeningException.invalid(EMPTY, "the image is empty");
    }
    if (data.length > limits.maxBytes()) {
      throw ScreeningException.tooLarge(TOO_LARGE, "the image has " + data.length
          + " bytes; the limit is " + limits.maxBytes());
    }
    ImageFormat format = ImageFormat.sniff(data);
    if (format == null) {
      throw ScreeningException.invalid(FORMAT_UNSUPPORTED,
          "the data is not a PNG, JPEG, GIF or BMP image");
    }
    ImageHeader header = ImageHeader.read(format, data);
    checkDimensions(header.width(), header.height());
    return header;
  }

  /**
   * Decodes {@code data} after {@link #checkHeader(byte[])} passes.
   *
   * @throws ScreeningException as {@link #checkHeader(byte[])}, and INVALID_ARGUMENT
   *     {@code IMAGE_MALFORMED} when the data is truncated or corrupt
   */
  public DecodedImage decode(byte[] data) {
    ImageHeader header = checkHeader(data);
    BufferedImage image = read(header.format(), data);
    return toRaster(header.format(), image);
  }

  private void checkDimensions(long width, long height) {
    if (width > limits.maxSide() || height > limits.maxSide() || width * height > limits.maxPixels()) {
      throw ScreeningException.tooLarge(DIMENSIONS_TOO_LARGE, "the image declares " + width + "×"
          + height + " pixels; the limits are " + limits.maxSide() + " a side and "
          + limits.maxPixels() + " in all");
    }
  }

  private BufferedImage read(ImageFormat format, byte[] data) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.id());
    if (!readers.hasNext()) {
      throw ScreeningException.invalid(FORMAT_UNSUPPORTED, "no decoder for " + format.id());
    }
    ImageReader reader = readers.next();
    List<String> warnings = new ArrayList<>();
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
      reader.setInput(in, true, true);
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      // The reader's own view of the first frame (a GIF frame may be larger than its screen).
      checkDimensions(reader.getWidth(0), reader.getHeight(0));
      BufferedImage image = reader.read(0);
      if (!warnings.isEmpty()) {
        throw malformed(format, "decoding reported: " + warnings.getFirst());
      }
      return image;
    } catch (ScreeningException e) {
      throw e;
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("Unsupported Image Type")) {
        throw ScreeningException.invalid(FORMAT_UNSUPPORTED,
            "the " + format.id() + " uses a colour model that is not supported");
      }
      throw malformed(format, "the data is truncated or corrupt");
    } catch (RuntimeException e) {
      // ImageIO readers signal some corruptions with unchecked exceptions (index out of bounds).
      throw malformed(format, "the data is corrupt");
    } finally {
      reader.dispose();
    }
  }

  private static ScreeningException malformed(ImageFormat format, String why) {
    return ScreeningException.invalid(ImageHeader.MALFORMED, "the " + format.id() + " image cannot be decoded: " + why);
  }

  private static DecodedImage toRaster(ImageFormat format, BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int channels = image.getColorModel().hasAlpha() ? 4 : 3;
    byte[] px = new byte[w * h * channels];
    int[] row = new int[w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int argb = row[x];
        px[o++] = (byte) (argb >>> 16);
        px[o++] = (byte) (argb >>> 8);
        px[o++] = (byte) argb;
        if (channels == 4) {
          px[o++] = (byte) (argb >>> 24);
        }
      }
    }
    return new DecodedImage(format, w, h, channels, px);
  }
}
