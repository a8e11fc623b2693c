package io.screenmesh.audio;

import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Reads a Vorbis comment block (FLAC's VORBIS_COMMENT, Ogg Vorbis's comment header, OpusTags)
 * into metadata texts, so that an instruction hidden in a TITLE or COMMENT tag is screened like a
 * WAV's LIST/INFO text. Every length is checked against the bytes present; counts are bounded by
 * the bytes too, so a block claiming four billion comments costs nothing.
 */
final class VorbisComments {

  private VorbisComments() {}

  /**
   * Adds the comments of the block at {@code d[at, at + length)} to {@code texts}, with sources
   * {@code <prefix>:<FIELD>}; stops quietly at the limits.
   *
   * @return false when the block runs past its bytes
   */
  static boolean read(byte[] d, int at, int length, String prefix, AudioLimits limits, List<SourcedText> texts) {
    int end = at + length;
    int p = at;
    if (p + 4 > end) {
      return false;
    }
    long vendor = u32(d, p);
    if (vendor > end - p - 4) {
      return false;
    }
    p += 4 + (int) vendor;
    if (p + 4 > end) {
      return false;
    }
    long count = u32(d, p);
    p += 4;
    for (long i = 0; i < count; i++) {
      if (p + 4 > end) {
        return false;
      }
      long n = u32(d, p);
      if (n > end - p - 4) {
        return false;
      }
      String entry = text(d, p + 4, (int) n);
      p += 4 + (int) n;
      int eq = entry.indexOf('=');
      if (eq <= 0 || texts.size() >= limits.maxTexts()) {
        continue;
      }
      String value = entry.substring(eq + 1).strip();
      if (value.isEmpty()) {
        continue;
      }
      if (value.length() > limits.maxTextChars()) {
        value = value.substring(0, limits.maxTextChars());
      }
      texts.add(new SourcedText(prefix + ":" + printable(entry.substring(0, eq)), value));
    }
    return true;
  }

  private static String text(byte[] d, int off, int len) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(d, off, len)).toString();
    } catch (CharacterCodingException e) {
      return new String(d, off, len, StandardCharsets.ISO_8859_1);
    }
  }

  // Field names are ASCII 0x20-0x7D without '=' by the specification; anything else is shown as '?'
  // so a source name never carries control characters.
  private static String printable(String field) {
    StringBuilder sb = new StringBuilder(Math.min(field.length(), 64));
    for (int i = 0; i < field.length() && i < 64; i++) {
      char c = field.charAt(i);
      sb.append(c > 0x20 && c < 0x7F ? c : '?');
    }
    return sb.toString().toUpperCase(Locale.ROOT);
  }

  static long u32(byte[] d, int p) {
    return (d[p] & 0xFFL) | ((d[p + 1] & 0xFFL) << 8) | ((d[p + 2] & 0xFFL) << 16) | ((d[p + 3] & 0xFFL) << 24);
  }
}
