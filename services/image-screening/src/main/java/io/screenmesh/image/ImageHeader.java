package io.screenmesh.image;

import io.screenmesh.services.common.ScreeningException;
import java.util.zip.CRC32;

/**
 * The dimensions and sample layout an image declares in its header, read with bounds checks
 * and without decoding a single pixel, so that limits can refuse a decompression bomb before
 * anything is allocated.
 *
 * <p>{@code bitsPerPixel} and {@code alpha} describe what ImageIO's reader will allocate, not
 * only what the file stores, and err on the large side: a 16-bit PNG is read into 16-bit
 * samples, a PNG with a {@code tRNS} chunk gains an alpha sample, a BMP holding an embedded
 * JPEG or PNG is counted at 32 bits.
 *
 * @param format the format
 * @param width the declared width in pixels (at least 1)
 * @param height the declared height in pixels (at least 1)
 * @param bitsPerPixel the bits a pixel takes in the reader's raster (1 to 64)
 * @param alpha whether the decoded pixels may carry alpha (an RGBA rather than RGB copy)
 */
public record ImageHeader(ImageFormat format, long width, long height, int bitsPerPixel, boolean alpha) {

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

  /** The bytes of the RGB/RGBA copy handed on: 3 or 4 a pixel. */
  public long outputBytes() {
    return saturatingMultiply(pixels(), alpha ? 4 : 3);
  }

  /**
   * The heap a decode needs at its peak: the reader's raster (rows of {@code bitsPerPixel} bits,
   * rounded up to whole bytes) and the RGB/RGBA copy made from it, which live at the same time.
   * {@link Long#MAX_VALUE} when that does not fit in a long.
   */
  public long decodeBytes() {
    long rowBytes = (saturatingMultiply(width, bitsPerPixel) + 7) / 8;
    long raster = saturatingMultiply(rowBytes, height);
    long out = outputBytes();
    return raster > Long.MAX_VALUE - out ? Long.MAX_VALUE : raster + out;
  }

  /** This header with the frame size a reader reports (a GIF frame may differ from its screen). */
  ImageHeader withSize(long frameWidth, long frameHeight) {
    return new ImageHeader(format, frameWidth, frameHeight, bitsPerPixel, alpha);
  }

  private static long saturatingMultiply(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    return high != 0 || low < 0 ? Long.MAX_VALUE : low;
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
    int depth = d[24] & 0xFF;
    int colourType = d[25] & 0xFF;
    int samples = switch (colourType) {
      case 0, 3 -> 1;
      case 2 -> 3;
      case 4 -> 2;
      case 6 -> 4;
      default -> throw malformed("the PNG declares colour type " + colourType + ", which does not exist");
    };
    boolean depthAllowed = switch (colourType) {
      case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
      case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
      default -> depth == 8 || depth == 16;
    };
    if (!depthAllowed) {
      throw malformed("the PNG declares bit depth " + depth + " for colour type " + colourType);
    }
    boolean transparency = pngHasTrns(d);
    // ImageIO turns a grey or RGB image with a tRNS colour into grey+alpha or RGBA.
    if (transparency && (colourType == 0 || colourType == 2)) {
      samples++;
    }
    boolean alpha = colourType == 4 || colourType == 6 || transparency;
    return new ImageHeader(ImageFormat.PNG, u32be(d, 16), u32be(d, 20), samples * depth, alpha);
  }

  /** Whether a tRNS chunk comes between IHDR and the first IDAT. */
  private static boolean pngHasTrns(byte[] d) {
    long pos = 33;
    while (pos + 8 <= d.length) {
      int p = (int) pos;
      boolean idat = d[p + 4] == 'I' && d[p + 5] == 'D' && d[p + 6] == 'A' && d[p + 7] == 'T';
      boolean iend = d[p + 4] == 'I' && d[p + 5] == 'E' && d[p + 6] == 'N' && d[p + 7] == 'D';
      if (idat || iend) {
        return false;
      }
      if (d[p + 4] == 't' && d[p + 5] == 'R' && d[p + 6] == 'N' && d[p + 7] == 'S') {
        return true;
      }
      pos += 12 + u32be(d, p);
    }
    return false;
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
        if (len < 8) {
          throw malformed("the JPEG frame header is too short");
        }
        int precision = d[pos + 4] & 0xFF;
        int components = d[pos + 9] & 0xFF;
        if (components < 1) {
          throw malformed("the JPEG frame header declares no components");
        }
        int bits = Math.min(4, components) * (precision > 8 ? 16 : 8);
        return new ImageHeader(ImageFormat.JPEG, u16be(d, pos + 7), u16be(d, pos + 5), bits,
            components == 2 || components >= 4);
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
    // One byte an index (or fewer, packed); a transparent colour index yields RGBA.
    return new ImageHeader(ImageFormat.GIF, u16le(d, 6), u16le(d, 8), 8, true);
  }

  private static ImageHeader bmp(byte[] d) {
    if (d.length < 26) {
      throw malformed("the BMP is cut short before the end of its headers");
    }
    long dibSize = u32le(d, 14);
    if (dibSize == 12) {
      return bmp(u16le(d, 18), u16le(d, 20), u16le(d, 24));
    }
    if (d.length < 30) {
      throw malformed("the BMP is cut short before the end of its headers");
    }
    // BITMAPINFOHEADER and later: signed 32-bit sizes; a negative height means top-down rows.
    long width = (int) u32le(d, 18);
    long height = Math.abs((long) (int) u32le(d, 22));
    return bmp(width, height, u16le(d, 28));
  }

  private static ImageHeader bmp(long width, long height, int bitCount) {
    // 0 means an embedded JPEG or PNG: count it as 32-bit RGBA. 16 and 32 bits may carry alpha.
    int bits = bitCount == 0 ? 32 : Math.min(Math.max(bitCount, 1), 64);
    return new ImageHeader(ImageFormat.BMP, width, height, bits, bits > 8 && bits != 24);
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
