package io.screenmesh.image.metadata;

import java.nio.charset.StandardCharsets;

/**
 * Reads the text of a JPEG's segments: comments ({@code COM}), EXIF ({@code APP1 Exif}) and
 * XMP ({@code APP1 http://ns.adobe.com/xap/1.0/}, and the raw text of extended XMP). Segments
 * between the scans of a progressive JPEG are read too.
 */
public final class JpegText {

  private static final byte[] EXIF = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
  private static final byte[] XMP = "http://ns.adobe.com/xap/1.0/\0".getBytes(StandardCharsets.ISO_8859_1);
  private static final byte[] XMP_EXTENSION = "http://ns.adobe.com/xmp/extension/\0".getBytes(StandardCharsets.ISO_8859_1);
  // Extended XMP: signature, 32-byte GUID, 4-byte full length, 4-byte offset, then the data.
  private static final int XMP_EXTENSION_HEADER = XMP_EXTENSION.length + 40;

  private JpegText() {}

  /** Adds the text of {@code jpeg}'s segments to {@code sink}. */
  public static void extract(byte[] jpeg, TextSink sink) {
    int pos = 2;
    while (Bytes.within(jpeg, pos, 2)) {
      if ((jpeg[pos] & 0xFF) != 0xFF) {
        return;
      }
      int marker = jpeg[pos + 1] & 0xFF;
      if (marker == 0xFF) {
        pos++;
        continue;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
        pos += 2;
        continue;
      }
      if (marker == 0xD9 || !Bytes.within(jpeg, pos + 2, 2)) {
        return;
      }
      int len = Bytes.u16be(jpeg, pos + 2);
      if (len < 2 || !Bytes.within(jpeg, pos + 2, len)) {
        sink.note(new MetadataNote("jpeg", MetadataNote.Kind.CORRUPT, "a JPEG segment runs past the end of the data"));
        return;
      }
      int from = pos + 4;
      int n = len - 2;
      if (marker == 0xFE) {
        sink.add("jpeg:COM", Bytes.utf8OrLatin1(jpeg, from, n));
      } else if (marker == 0xE1) {
        app1(jpeg, from, n, sink);
      }
      pos += 2 + len;
      if (marker == 0xDA) {
        pos = skipEntropyCoded(jpeg, pos);
      }
    }
  }

  private static void app1(byte[] d, int from, int n, TextSink sink) {
    if (startsWith(d, from, n, EXIF)) {
      ExifText.extract(d, from + EXIF.length, n - EXIF.length, "exif", sink);
    } else if (startsWith(d, from, n, XMP)) {
      XmpText.extract(new String(d, from + XMP.length, n - XMP.length, StandardCharsets.UTF_8), sink);
    } else if (startsWith(d, from, n, XMP_EXTENSION) && n > XMP_EXTENSION_HEADER) {
      // A fragment of a larger packet does not parse as XML on its own: screen its text.
      String xml = new String(d, from + XMP_EXTENSION_HEADER, n - XMP_EXTENSION_HEADER, StandardCharsets.UTF_8);
      sink.add("xmp:extension", XmpText.stripTags(xml));
    }
  }

  // After a scan header, entropy-coded data runs until a marker that is neither a stuffed zero
  // byte nor a restart marker.
  private static int skipEntropyCoded(byte[] d, int pos) {
    int p = pos;
    while (p + 1 < d.length) {
      if ((d[p] & 0xFF) == 0xFF) {
        int next = d[p + 1] & 0xFF;
        if (next != 0x00 && next != 0xFF && !(next >= 0xD0 && next <= 0xD7)) {
          return p;
        }
      }
      p++;
    }
    return d.length;
  }

  private static boolean startsWith(byte[] d, int from, int n, byte[] prefix) {
    if (n < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (d[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
