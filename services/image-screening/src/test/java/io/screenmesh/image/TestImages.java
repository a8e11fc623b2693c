package io.screenmesh.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Builds test images with ImageIO and splices hand-written metadata into them. */
public final class TestImages {

  private TestImages() {}

  /** A {@code w}×{@code h} image with a deterministic colour pattern. */
  public static BufferedImage pattern(int w, int h, int type) {
    BufferedImage img = new BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int a = type == BufferedImage.TYPE_INT_ARGB ? 128 + (x * 127 / Math.max(1, w - 1)) : 255;
        img.setRGB(x, y, (a << 24) | ((x * 255 / Math.max(1, w - 1)) << 16) | ((y * 255 / Math.max(1, h - 1)) << 8) | ((x + y) % 256));
      }
    }
    return img;
  }

  /** Encodes {@code img} with ImageIO's writer for {@code format}. */
  public static byte[] encode(BufferedImage img, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!javax.imageio.ImageIO.write(img, format, out)) {
        throw new IllegalStateException("no writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A small RGB PNG. */
  public static byte[] png(int w, int h) {
    return encode(pattern(w, h, BufferedImage.TYPE_INT_RGB), "png");
  }

  /** A PNG chunk with its length and CRC. */
  public static byte[] chunk(String type, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(12 + data.length);
    b.putInt(data.length).put(type.getBytes(StandardCharsets.ISO_8859_1)).put(data);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 4, 4 + data.length);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** {@code png} with {@code chunks} inserted right after IHDR. */
  public static byte[] withChunks(byte[] png, byte[]... chunks) {
    int afterIhdr = 8 + 25;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, afterIhdr);
    for (byte[] c : chunks) {
      out.writeBytes(c);
    }
    out.write(png, afterIhdr, png.length - afterIhdr);
    return out.toByteArray();
  }

  /** A tEXt chunk. */
  public static byte[] tEXt(String keyword, String text) {
    return chunk("tEXt", concat(latin1(keyword), new byte[] {0}, latin1(text)));
  }

  /** A zTXt chunk holding {@code compressed} as its (already deflated) text. */
  public static byte[] zTXtRaw(String keyword, byte[] compressed) {
    return chunk("zTXt", concat(latin1(keyword), new byte[] {0, 0}, compressed));
  }

  /** A zTXt chunk. */
  public static byte[] zTXt(String keyword, String text) {
    return zTXtRaw(keyword, deflate(latin1(text)));
  }

  /** An iTXt chunk, compressed or not. */
  public static byte[] iTXt(String keyword, String text, boolean compressed) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    return chunk("iTXt", concat(latin1(keyword), new byte[] {0, (byte) (compressed ? 1 : 0), 0},
        latin1("en"), new byte[] {0}, new byte[] {0}, compressed ? deflate(body) : body));
  }

  /** A PNG made of a hand-built IHDR for {@code w}×{@code h} RGB with a valid CRC, and nothing else. */
  public static byte[] pngHeaderOnly(long w, long h) {
    return pngHeaderOnly(w, h, 8, 2);
  }

  /** As {@link #pngHeaderOnly(long, long)} with the given bit depth and colour type. */
  public static byte[] pngHeaderOnly(long w, long h, int depth, int colourType, byte[]... chunksBeforeIdat) {
    return concat(PNG_SIGNATURE, ihdr(w, h, depth, colourType), concat(chunksBeforeIdat),
        chunk("IDAT", deflate(new byte[64])), chunk("IEND", new byte[0]));
  }

  /**
   * A complete, valid {@code side}×{@code side} PNG of 16-bit RGBA zeros (colour type 6), deflated
   * a row at a time so that the raw 8 bytes a pixel are never held: at 6324 a side it is about
   * 300 KiB that decodes to 320 MB of samples.
   */
  public static byte[] zeroRgba16Png(int side) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
    byte[] row = new byte[1 + side * 8];
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    for (int y = 0; y < side; y++) {
      d.setInput(row);
      while (!d.needsInput()) {
        idat.write(buf, 0, d.deflate(buf));
      }
    }
    d.finish();
    while (!d.finished()) {
      idat.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return concat(PNG_SIGNATURE, ihdr(side, side, 16, 6), chunk("IDAT", idat.toByteArray()),
        chunk("IEND", new byte[0]));
  }

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  private static byte[] ihdr(long w, long h, int depth, int colourType) {
    return chunk("IHDR", ByteBuffer.allocate(13).putInt((int) w).putInt((int) h)
        .put((byte) depth).put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0).array());
  }

  /** The types of the chunks of {@code png}, in order. */
  public static List<String> chunkTypes(byte[] png) {
    List<String> types = new ArrayList<>();
    int pos = 8;
    while (pos + 12 <= png.length) {
      int len = ByteBuffer.wrap(png, pos, 4).getInt();
      types.add(new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1));
      pos += 12 + len;
    }
    return types;
  }

  /** A baseline JPEG. */
  public static byte[] jpeg(int w, int h) {
    return encode(pattern(w, h, BufferedImage.TYPE_INT_RGB), "jpeg");
  }

  /** {@code jpeg} with a segment ({@code marker} and {@code payload}) inserted right after SOI. */
  public static byte[] withSegment(byte[] jpeg, int marker, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);
    out.write(0xFF);
    out.write(marker);
    out.write((payload.length + 2) >> 8);
    out.write((payload.length + 2) & 0xFF);
    out.writeBytes(payload);
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }

  /** A GIF with a comment extension before its trailer. */
  public static byte[] gifWithComment(int w, int h, String comment) {
    byte[] gif = encode(pattern(w, h, BufferedImage.TYPE_INT_RGB), "gif");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(gif, 0, gif.length - 1);
    out.write(0x21);
    out.write(0xFE);
    byte[] c = comment.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < c.length; i += 255) {
      int n = Math.min(255, c.length - i);
      out.write(n);
      out.write(c, i, n);
    }
    out.write(0);
    out.write(0x3B);
    return out.toByteArray();
  }

  /** An XMP packet with {@code description} as dc:description and {@code creator} as an attribute. */
  public static String xmp(String description, String creatorTool) {
    return "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
        + "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
        + "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\""
        + " xmp:CreatorTool=\"" + creatorTool + "\">"
        + "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">" + description + "</rdf:li></rdf:Alt></dc:description>"
        + "</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";
  }

  /** The zlib compression of {@code data}. */
  public static byte[] deflate(byte[] data) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
    d.setInput(data);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }

  /** Concatenates arrays. */
  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Builds a little- or big-endian TIFF block with IFD0 text tags and an Exif sub-IFD. */
  public static final class Tiff {
    private final ByteOrder order;
    private final List<int[]> ifd0 = new ArrayList<>();
    private final List<byte[]> ifd0Values = new ArrayList<>();
    private final List<int[]> exif = new ArrayList<>();
    private final List<byte[]> exifValues = new ArrayList<>();

    /** A builder in {@code order}. */
    public Tiff(ByteOrder order) {
      this.order = order;
    }

    /** Adds an IFD0 tag of {@code type} holding {@code value}. */
    public Tiff ifd0(int tag, int type, byte[] value) {
      ifd0.add(new int[] {tag, type});
      ifd0Values.add(value);
      return this;
    }

    /** Adds an Exif sub-IFD tag. */
    public Tiff exif(int tag, int type, byte[] value) {
      exif.add(new int[] {tag, type});
      exifValues.add(value);
      return this;
    }

    /** The TIFF block. */
    public byte[] build() {
      ByteBuffer b = ByteBuffer.allocate(8192).order(order);
      b.put(order == ByteOrder.LITTLE_ENDIAN ? new byte[] {'I', 'I'} : new byte[] {'M', 'M'});
      b.putShort((short) 42).putInt(8);
      int ifd0Size = 2 + 12 * (ifd0.size() + (exif.isEmpty() ? 0 : 1)) + 4;
      int exifOffset = 8 + ifd0Size;
      int exifSize = exif.isEmpty() ? 0 : 2 + 12 * exif.size() + 4;
      int dataOffset = exifOffset + exifSize;
      ByteArrayOutputStream data = new ByteArrayOutputStream();
      b.putShort((short) (ifd0.size() + (exif.isEmpty() ? 0 : 1)));
      for (int i = 0; i < ifd0.size(); i++) {
        dataOffset = entry(b, ifd0.get(i), ifd0Values.get(i), data, dataOffset);
      }
      if (!exif.isEmpty()) {
        b.putShort((short) 0x8769).putShort((short) 4).putInt(1).putInt(exifOffset);
      }
      b.putInt(0);
      if (!exif.isEmpty()) {
        b.putShort((short) exif.size());
        for (int i = 0; i < exif.size(); i++) {
          dataOffset = entry(b, exif.get(i), exifValues.get(i), data, dataOffset);
        }
        b.putInt(0);
      }
      b.put(data.toByteArray());
      byte[] out = new byte[b.position()];
      b.flip().get(out);
      return out;
    }

    private static int entry(ByteBuffer b, int[] tagType, byte[] value, ByteArrayOutputStream data, int dataOffset) {
      b.putShort((short) tagType[0]).putShort((short) tagType[1]).putInt(value.length);
      if (value.length <= 4) {
        b.put(java.util.Arrays.copyOf(value, 4));
        return dataOffset;
      }
      b.putInt(dataOffset);
      data.writeBytes(value);
      return dataOffset + value.length;
    }
  }
}
