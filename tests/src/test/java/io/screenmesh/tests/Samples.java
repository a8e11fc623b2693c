package io.screenmesh.tests;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/**
 * Test inputs made from scratch: PNGs with and without text chunks, a decompression-bomb
 * header, WAV clips, and broken variants of each.
 */
final class Samples {

  static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private Samples() {}

  /** A {@code width}×{@code height} RGB gradient, so that pixel equality means something. */
  static BufferedImage gradient(int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, (x * 255 / Math.max(1, width - 1)) << 16 | (y * 255 / Math.max(1, height - 1)) << 8 | 0x40);
      }
    }
    return img;
  }

  /** Encodes an image as PNG with the JDK's encoder. */
  static byte[] png(BufferedImage img) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(img, "png", out)) {
        throw new IllegalStateException("no PNG writer");
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A PNG with a {@code tEXt} chunk (Latin-1 keyword and text) inserted right after IHDR. */
  static byte[] pngWithText(BufferedImage img, String keyword, String text) {
    byte[] png = png(img);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(keyword.getBytes(StandardCharsets.ISO_8859_1));
    body.write(0);
    body.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    int afterIhdr = PNG_SIGNATURE.length + 4 + 4 + 13 + 4;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, afterIhdr);
    out.writeBytes(chunk("tEXt", body.toByteArray()));
    out.write(png, afterIhdr, png.length - afterIhdr);
    return out.toByteArray();
  }

  /**
   * A well-formed PNG whose header claims {@code width}×{@code height} RGB pixels, with one
   * tiny compressed row: decoding it in full would need width×height×3 bytes.
   */
  static byte[] pngHeaderOnly(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(13).order(ByteOrder.BIG_ENDIAN);
    ihdr.putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    Deflater d = new Deflater();
    d.setInput(new byte[1 + 3]);
    d.finish();
    byte[] buf = new byte[64];
    int n = d.deflate(buf);
    d.end();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(PNG_SIGNATURE);
    out.writeBytes(chunk("IHDR", ihdr.array()));
    out.writeBytes(chunk("IDAT", Arrays.copyOf(buf, n)));
    out.writeBytes(chunk("IEND", new byte[0]));
    return out.toByteArray();
  }

  /** The PNG signature and the start of an IHDR chunk, cut off: no decoder can read it. */
  static byte[] truncatedPng() {
    byte[] whole = png(gradient(8, 8));
    return Arrays.copyOf(whole, PNG_SIGNATURE.length + 10);
  }

  /** The types of a PNG's chunks, in order. */
  static List<String> pngChunkTypes(byte[] png) {
    if (png.length < 8 || !Arrays.equals(Arrays.copyOf(png, 8), PNG_SIGNATURE)) {
      throw new AssertionError("not a PNG (signature missing)");
    }
    List<String> types = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(png).order(ByteOrder.BIG_ENDIAN);
    b.position(8);
    while (b.remaining() >= 12) {
      int len = b.getInt();
      byte[] type = new byte[4];
      b.get(type);
      types.add(new String(type, StandardCharsets.ISO_8859_1));
      b.position(b.position() + len + 4);
    }
    return types;
  }

  private static byte[] chunk(String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    ByteBuffer b = ByteBuffer.allocate(12 + data.length).order(ByteOrder.BIG_ENDIAN);
    b.putInt(data.length).put(t).put(data).putInt((int) crc.getValue());
    return b.array();
  }

  /** A mono 16-bit PCM WAV of a sine tone at {@code hz}, half amplitude. */
  static byte[] wavTone(int sampleRate, double seconds, double hz) {
    int n = (int) Math.round(sampleRate * seconds);
    ByteBuffer pcm = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      pcm.putShort((short) Math.round(0.5 * Short.MAX_VALUE * Math.sin(2 * Math.PI * hz * i / sampleRate)));
    }
    return wav(sampleRate, 1, pcm.array());
  }

  /** A RIFF/WAVE container around 16-bit PCM samples. */
  static byte[] wav(int sampleRate, int channels, byte[] pcm16) {
    ByteBuffer b = ByteBuffer.allocate(44 + pcm16.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + pcm16.length)
        .put("WAVE".getBytes(StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16)
        .putShort((short) 1).putShort((short) channels).putInt(sampleRate)
        .putInt(sampleRate * channels * 2).putShort((short) (channels * 2)).putShort((short) 16)
        .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(pcm16.length).put(pcm16);
    return b.array();
  }

  /**
   * A WAV clip of a tone with a {@code LIST/INFO} chunk holding {@code comment} as its
   * {@code ICMT} (comment) entry, placed before the samples as tagging tools write it.
   */
  static byte[] wavToneWithComment(int sampleRate, double seconds, String comment) {
    byte[] plain = wavTone(sampleRate, seconds, 440);
    byte[] text = (comment + "\0").getBytes(StandardCharsets.UTF_8);
    int entry = 8 + text.length + (text.length & 1);
    ByteBuffer list = ByteBuffer.allocate(8 + 4 + entry).order(ByteOrder.LITTLE_ENDIAN);
    list.put("LIST".getBytes(StandardCharsets.US_ASCII)).putInt(4 + entry)
        .put("INFO".getBytes(StandardCharsets.US_ASCII))
        .put("ICMT".getBytes(StandardCharsets.US_ASCII)).putInt(text.length).put(text);
    // fmt ends at byte 36; the LIST chunk goes between it and the data chunk.
    ByteBuffer out = ByteBuffer.allocate(plain.length + list.capacity()).order(ByteOrder.LITTLE_ENDIAN);
    out.put(plain, 0, 36).put(list.array()).put(plain, 36, plain.length - 36);
    out.putInt(4, out.capacity() - 8);
    return out.array();
  }

  /** A RIFF header that announces WAVE and then breaks off inside the fmt chunk. */
  static byte[] truncatedWav() {
    return Arrays.copyOf(wavTone(16_000, 0.1, 440), 20);
  }
}
