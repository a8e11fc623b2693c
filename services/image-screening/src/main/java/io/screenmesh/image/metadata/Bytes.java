package io.screenmesh.image.metadata;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Bounds-checked reads and text decoding shared by the metadata parsers. */
final class Bytes {

  private Bytes() {}

  /** True when {@code [off, off + len)} lies within {@code d}; safe against int overflow. */
  static boolean within(byte[] d, long off, long len) {
    return off >= 0 && len >= 0 && off + len <= d.length;
  }

  static int u16be(byte[] d, int p) {
    return ((d[p] & 0xFF) << 8) | (d[p + 1] & 0xFF);
  }

  static long u32be(byte[] d, int p) {
    return ((d[p] & 0xFFL) << 24) | ((d[p + 1] & 0xFFL) << 16) | ((d[p + 2] & 0xFFL) << 8) | (d[p + 3] & 0xFFL);
  }

  /** The index of the first NUL in {@code [from, to)}, or -1. */
  static int indexOfNul(byte[] d, int from, int to) {
    for (int i = from; i < to; i++) {
      if (d[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  /** Decodes as UTF-8 when the bytes are valid UTF-8, otherwise as Latin-1 (never fails). */
  static String utf8OrLatin1(byte[] d, int off, int len) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(d, off, len)).toString();
    } catch (CharacterCodingException e) {
      return new String(d, off, len, StandardCharsets.ISO_8859_1);
    }
  }

  /** A keyword or name made safe to show in a source: printable ASCII, at most 79 characters. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), 79));
    for (int i = 0; i < s.length() && sb.length() < 79; i++) {
      char c = s.charAt(i);
      sb.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return sb.toString();
  }
}
