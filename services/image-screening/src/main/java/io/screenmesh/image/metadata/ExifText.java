package io.screenmesh.image.metadata;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads the text tags of an EXIF (TIFF-structured) block: descriptions, comments, authors,
 * software and the Windows XP tags, in IFD0, the Exif sub-IFD and IFD1. Every offset is
 * checked against the block; IFDs are visited at most once (no pointer loops) and their
 * number and size are bounded.
 */
public final class ExifText {

  private static final int MAX_IFDS = 8;
  private static final int MAX_ENTRIES = 512;
  private static final int TYPE_BYTE = 1;
  private static final int TYPE_ASCII = 2;
  private static final int TYPE_UNDEFINED = 7;
  private static final int TAG_EXIF_IFD = 0x8769;
  private static final int TAG_USER_COMMENT = 0x9286;

  /** Text tags by number; the XP tags are UTF-16LE in BYTE arrays. */
  private static final Map<Integer, String> TEXT_TAGS = Map.ofEntries(
      Map.entry(0x010D, "DocumentName"),
      Map.entry(0x010E, "ImageDescription"),
      Map.entry(0x010F, "Make"),
      Map.entry(0x0110, "Model"),
      Map.entry(0x0131, "Software"),
      Map.entry(0x013B, "Artist"),
      Map.entry(0x8298, "Copyright"),
      Map.entry(0x9C9B, "XPTitle"),
      Map.entry(0x9C9C, "XPComment"),
      Map.entry(0x9C9D, "XPAuthor"),
      Map.entry(0x9C9E, "XPKeywords"),
      Map.entry(0x9C9F, "XPSubject"),
      Map.entry(TAG_USER_COMMENT, "UserComment"),
      Map.entry(0xA420, "ImageUniqueID"),
      Map.entry(0xA430, "CameraOwnerName"),
      Map.entry(0xA431, "BodySerialNumber"),
      Map.entry(0xA433, "LensMake"),
      Map.entry(0xA434, "LensModel"));

  private ExifText() {}

  /**
   * Adds the text tags of the TIFF block at {@code [off, off + len)} of {@code d} to
   * {@code sink}, with sources {@code <prefix>:<TagName>}.
   */
  public static void extract(byte[] d, int off, int len, String prefix, TextSink sink) {
    if (len < 8 || !Bytes.within(d, off, len)) {
      return;
    }
    boolean little;
    if (d[off] == 'I' && d[off + 1] == 'I') {
      little = true;
    } else if (d[off] == 'M' && d[off + 1] == 'M') {
      little = false;
    } else {
      sink.note(new MetadataNote(prefix, MetadataNote.Kind.CORRUPT, "the EXIF block has no byte-order mark"));
      return;
    }
    Tiff t = new Tiff(d, off, len, little);
    if (t.u16(2) != 42) {
      sink.note(new MetadataNote(prefix, MetadataNote.Kind.CORRUPT, "the EXIF block is not TIFF-structured"));
      return;
    }
    ArrayDeque<Long> pending = new ArrayDeque<>();
    Set<Long> seen = new HashSet<>();
    pending.add(t.u32(4));
    while (!pending.isEmpty() && seen.size() < MAX_IFDS) {
      long ifd = pending.poll();
      if (ifd == 0 || !seen.add(ifd) || !t.within(ifd, 2)) {
        continue;
      }
      int entries = t.u16((int) ifd);
      if (entries > MAX_ENTRIES || !t.within(ifd + 2, 12L * entries + 4)) {
        sink.note(new MetadataNote(prefix, MetadataNote.Kind.CORRUPT, "an EXIF directory runs past the end of its block"));
        continue;
      }
      for (int i = 0; i < entries; i++) {
        entry(t, (int) ifd + 2 + 12 * i, prefix, sink, pending);
      }
      pending.add(t.u32((int) ifd + 2 + 12 * entries));
    }
  }

  private static void entry(Tiff t, int e, String prefix, TextSink sink, ArrayDeque<Long> pending) {
    int tag = t.u16(e);
    int type = t.u16(e + 2);
    long count = t.u32(e + 4);
    if (tag == TAG_EXIF_IFD) {
      pending.add(t.u32(e + 8));
      return;
    }
    String name = TEXT_TAGS.get(tag);
    if (name == null || (type != TYPE_ASCII && type != TYPE_UNDEFINED && type != TYPE_BYTE)) {
      return;
    }
    // One-byte types: the value sits in the entry itself when it fits in four bytes.
    long at = count <= 4 ? e + 8 : t.u32(e + 8);
    if (!t.within(at, count)) {
      sink.note(new MetadataNote(prefix + ":" + name, MetadataNote.Kind.CORRUPT, "an EXIF value runs past the end of its block"));
      return;
    }
    int from = t.off + (int) at;
    int n = (int) count;
    String source = prefix + ":" + name;
    if (name.startsWith("XP")) {
      sink.add(source, new String(t.d, from, n & ~1, StandardCharsets.UTF_16LE));
    } else if (tag == TAG_USER_COMMENT) {
      sink.add(source, userComment(t, from, n));
    } else {
      sink.add(source, Bytes.utf8OrLatin1(t.d, from, n));
    }
  }

  // UserComment starts with an 8-byte character code: ASCII, UNICODE (UTF-16 in the block's
  // byte order), JIS, or all zeros (undefined, read as UTF-8 when it is).
  private static String userComment(Tiff t, int from, int n) {
    if (n < 8) {
      return Bytes.utf8OrLatin1(t.d, from, n);
    }
    String code = new String(t.d, from, 8, StandardCharsets.ISO_8859_1);
    int body = from + 8;
    int m = n - 8;
    if (code.startsWith("UNICODE")) {
      Charset cs = t.little ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE;
      return new String(t.d, body, m & ~1, cs);
    }
    return Bytes.utf8OrLatin1(t.d, body, m);
  }

  /** A TIFF block inside a larger array, with offsets relative to its start. */
  private record Tiff(byte[] d, int off, int len, boolean little) {

    boolean within(long at, long n) {
      return at >= 0 && n >= 0 && at + n <= len;
    }

    int u16(int at) {
      if (!within(at, 2)) {
        return 0;
      }
      int a = d[off + at] & 0xFF;
      int b = d[off + at + 1] & 0xFF;
      return little ? a | (b << 8) : (a << 8) | b;
    }

    long u32(int at) {
      if (!within(at, 4)) {
        return 0;
      }
      long v = 0;
      for (int i = 0; i < 4; i++) {
        long b = d[off + at + i] & 0xFFL;
        v |= little ? b << (8 * i) : b << (8 * (3 - i));
      }
      return v;
    }
  }
}
