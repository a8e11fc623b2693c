package io.screenmesh.image.metadata;

import java.io.ByteArrayOutputStream;

/** Reads the comment extensions of a GIF, walking its blocks with bounds checks. */
public final class GifText {

  private GifText() {}

  /** Adds the text of {@code gif}'s comment extensions to {@code sink}. */
  public static void extract(byte[] gif, TextSink sink) {
    if (gif.length < 13) {
      return;
    }
    int pos = 13 + colorTableSize(gif[10]);
    while (Bytes.within(gif, pos, 1)) {
      int b = gif[pos] & 0xFF;
      if (b == 0x3B) {
        return;
      }
      if (b == 0x21) {
        if (!Bytes.within(gif, pos + 1, 1)) {
          return;
        }
        int label = gif[pos + 1] & 0xFF;
        ByteArrayOutputStream comment = label == 0xFE ? new ByteArrayOutputStream() : null;
        pos = subBlocks(gif, pos + 2, comment);
        if (comment != null) {
          byte[] c = comment.toByteArray();
          sink.add("gif:comment", Bytes.utf8OrLatin1(c, 0, c.length));
        }
      } else if (b == 0x2C) {
        if (!Bytes.within(gif, pos, 11)) {
          return;
        }
        // Descriptor (10 bytes), local colour table, LZW minimum code size, then image data.
        pos = subBlocks(gif, pos + 10 + colorTableSize(gif[pos + 9]) + 1, null);
      } else {
        sink.note(new MetadataNote("gif", MetadataNote.Kind.CORRUPT, "a GIF block has an unknown introducer"));
        return;
      }
      if (pos < 0) {
        sink.note(new MetadataNote("gif", MetadataNote.Kind.CORRUPT, "a GIF block runs past the end of the data"));
        return;
      }
    }
  }

  private static int colorTableSize(byte flags) {
    return (flags & 0x80) != 0 ? 3 * (1 << ((flags & 0x07) + 1)) : 0;
  }

  /** Reads sub-blocks from {@code pos}; returns the position after the terminator, or -1. */
  private static int subBlocks(byte[] d, int pos, ByteArrayOutputStream into) {
    int p = pos;
    while (Bytes.within(d, p, 1)) {
      int size = d[p] & 0xFF;
      p++;
      if (size == 0) {
        return p;
      }
      if (!Bytes.within(d, p, size)) {
        return -1;
      }
      if (into != null) {
        into.write(d, p, size);
      }
      p += size;
    }
    return -1;
  }
}
