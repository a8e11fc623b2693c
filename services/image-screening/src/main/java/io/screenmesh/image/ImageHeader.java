package io.screenmesh.image;

import io.screenmesh.services.common.ScreeningException;
import java.util.zip.CRC32;

/**
 * The dimensions an image declares in its header, read with bounds checks and without decoding
 * a single pixel, so that limits can refuse a decompression bomb before anything is allocated.
 *
 * @param format the format
 * @param width the declared width in pixels (at least 1)
 * @param height the declared height in pixels (at least 1)
 */
public record ImageHeader(ImageFormat format, long width, long height) {

  /** The reason for a header that is cut short or inconsistent. */
  public static final String MALFORMED = "IMAGE_MALFORMED";

  /**
   * Reads the header of {@code data}, which starts with {@code format}'s magic bytes.
   *
   * @throws ScreeningException INVALID_ARGUMENT {@value #MALFORMED} when the header is cut short,
   *     fails its checksum or declares an empty image
   */
  public static ImageHeader read(ImageFormat format, byte[] data) {
    ImageHeader h = switch (format) {
      case PNG -> png(data);
      case JPEG -> jpeg(data);
      case GIF -> gif(data);
      case BMP -> bmp(data);
    };
    if (h.width < 1 || h.height < 1) {
      throw malformed("the " + format.id() + " header declares an empty image");
    }
    return h;
  }

  /** Width times height, exact for any 32-bit dimensions. */
  public long pixels() {
    return width * height;
  }

  private static ImageHeader png(byte[] d) {
    // The signature is followed by the IHDR chunk: length 13, "IHDR", width, height, 5 bytes, CRC.
    if (d.length < 33) {
      throw malformed("the PNG is cut short before the end of its IHDR chunk");
    }
    if (u32be(d, 8) != 13 || d[12] != 'I' || d[13] != 'H' || d[14] != 'D' || d[15] != 'R') {
      throw malformed("the PNG does not start with an IHDR chunk");
    }
    CRC32 crc = new CRC32();
    crc.update(d, 12, 17);
    if (crc.getValue() != u32be(d, 29)) {
      throw malformed("the PNG IHDR chunk fails its CRC");
    }
    return new ImageHeader(ImageFormat.PNG, u32be(d, 16), u32be(d, 20));
  }

  private static ImageHeader jpeg(byte[] d) {
    int pos = 2;
    while (pos + 4 <= d.length) {
      if ((d[pos] & 0xFF) != 0xFF) {
        throw malformed("the JPEG has a segment that does not start with a marker");
      }
      int marker = d[pos + 1] & 0xFF;
      if (marker == 0xFF) {
        pos++;
        continue;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
        pos += 2;
        continue;
      }
      if (marker == 0xD9 || marker == 0xDA) {
        break;
      }
      int len = u16be(d, pos + 2);
      if (len < 2 || pos + 2L + len > d.length) {
        throw malformed("the JPEG has a segment that runs past the end of the data");
      }
      boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        if (len < 7) {
          throw malformed("the JPEG frame header is too short");
        }
        return new ImageHeader(ImageFormat.JPEG, u16be(d, pos + 7), u16be(d, pos + 5));
      }
      pos += 2 + len;
    }
    throw malformed("the JPEG has no frame header before its image data");
  }

  private static ImageHeader gif(byte[] d) {
    // The logical screen descriptor follows the 6-byte signature; frames are checked again by
    // the decoder, which reads each frame's own descriptor before allocating it.
    if (d.length < 13) {
      throw malformed("the GIF is cut short before the end of its screen descriptor");
    }
    return new ImageHeader(ImageFormat.GIF, u16le(d, 6), u16le(d, 8));
  }

  private static ImageHeader bmp(byte[] d) {
    if (d.length < 26) {
      throw malformed("the BMP is cut short before the end of its headers");
    }
    long dibSize = u32le(d, 14);
    if (dibSize == 12) {
      return new ImageHeader(ImageFormat.BMP, u16le(d, 18), u16le(d, 20));
    }
    // BITMAPINFOHEADER and later: signed 32-bit sizes; a negative height means top-down rows.
    long width = (int) u32le(d, 18);
    long height = Math.abs((long) (int) u32le(d, 22));
    return new ImageHeader(ImageFormat.BMP, width, height);
  }

  private static ScreeningException malformed(String message) {
    return ScreeningException.invalid(MALFORMED, message);
  }

  static long u32be(byte[] d, int p) {
    return ((d[p] & 0xFFL) << 24) | ((d[p + 1] & 0xFFL) << 16) | ((d[p + 2] & 0xFFL) << 8) | (d[p + 3] & 0xFFL);
  }

  private static int u16be(byte[] d, int p) {
    return ((d[p] & 0xFF) << 8) | (d[p + 1] & 0xFF);
  }

  private static int u16le(byte[] d, int p) {
    return (d[p] & 0xFF) | ((d[p + 1] & 0xFF) << 8);
  }

  private static long u32le(byte[] d, int p) {
    return (d[p] & 0xFFL) | ((d[p + 1] & 0xFFL) << 8) | ((d[p + 2] & 0xFFL) << 16) | ((d[p + 3] & 0xFFL) << 24);
  }
}
