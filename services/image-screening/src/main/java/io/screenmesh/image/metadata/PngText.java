package io.screenmesh.image.metadata;

import java.nio.charset.StandardCharsets;

/**
 * Reads the text of a PNG's chunks: {@code tEXt}, {@code zTXt} and {@code iTXt} (compressed
 * ones through {@link BoundedInflater}), XMP carried in {@code iTXt XML:com.adobe.xmp}, and
 * EXIF in {@code eXIf}. Walks chunks with bounds checks and stops at the first one that runs
 * past the data.
 */
public final class PngText {

  /** The iTXt keyword under which XMP packets are stored. */
  public static final String XMP_KEYWORD = "XML:com.adobe.xmp";

  private PngText() {}

  /** Adds the text of {@code png}'s chunks to {@code sink}. */
  public static void extract(byte[] png, TextSink sink, int maxInflatedBytes) {
    int pos = 8;
    while (Bytes.within(png, pos, 12)) {
      long len = Bytes.u32be(png, pos);
      int data = pos + 8;
      if (!Bytes.within(png, data, len + 4)) {
        sink.note(new MetadataNote("png", MetadataNote.Kind.CORRUPT, "a PNG chunk runs past the end of the data"));
        return;
      }
      String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
      int end = data + (int) len;
      switch (type) {
        case "tEXt" -> text(png, data, end, sink);
        case "zTXt" -> ztxt(png, data, end, sink, maxInflatedBytes);
        case "iTXt" -> itxt(png, data, end, sink, maxInflatedBytes);
        case "eXIf" -> ExifText.extract(png, data, (int) len, "exif", sink);
        case "IEND" -> {
          return;
        }
        default -> { }
      }
      pos = end + 4;
    }
    sink.note(new MetadataNote("png", MetadataNote.Kind.CORRUPT, "the PNG ends before its IEND chunk"));
  }

  private static void text(byte[] d, int from, int end, TextSink sink) {
    int nul = Bytes.indexOfNul(d, from, end);
    if (nul < 0) {
      return;
    }
    String source = "png:tEXt:" + keyword(d, from, nul);
    sink.add(source, new String(d, nul + 1, end - nul - 1, StandardCharsets.ISO_8859_1));
  }

  private static void ztxt(byte[] d, int from, int end, TextSink sink, int max) {
    int nul = Bytes.indexOfNul(d, from, end);
    if (nul < 0 || nul + 2 > end) {
      return;
    }
    String source = "png:zTXt:" + keyword(d, from, nul);
    byte[] text = inflate(d, nul + 2, end - nul - 2, max, source, sink);
    sink.add(source, new String(text, StandardCharsets.ISO_8859_1));
  }

  private static void itxt(byte[] d, int from, int end, TextSink sink, int max) {
    int nul = Bytes.indexOfNul(d, from, end);
    if (nul < 0 || nul + 3 > end) {
      return;
    }
    String keyword = keyword(d, from, nul);
    boolean compressed = d[nul + 1] != 0;
    int langEnd = Bytes.indexOfNul(d, nul + 3, end);
    if (langEnd < 0) {
      return;
    }
    int translatedEnd = Bytes.indexOfNul(d, langEnd + 1, end);
    if (translatedEnd < 0) {
      return;
    }
    String source = "png:iTXt:" + keyword;
    String translated = new String(d, langEnd + 1, translatedEnd - langEnd - 1, StandardCharsets.UTF_8);
    int textFrom = translatedEnd + 1;
    String text = compressed
        ? new String(inflate(d, textFrom, end - textFrom, max, source, sink), StandardCharsets.UTF_8)
        : new String(d, textFrom, end - textFrom, StandardCharsets.UTF_8);
    if (XMP_KEYWORD.equals(keyword)) {
      XmpText.extract(text, sink);
      return;
    }
    sink.add(source, translated);
    sink.add(source, text);
  }

  private static byte[] inflate(byte[] d, int off, int len, int max, String source, TextSink sink) {
    BoundedInflater.Result r = BoundedInflater.inflate(d, off, len, max);
    if (r.capped()) {
      sink.note(new MetadataNote(source, MetadataNote.Kind.INFLATE_CAPPED,
          "compressed metadata at " + source + " inflates past " + max + " bytes (a decompression bomb); it was cut"));
    } else if (r.corrupt()) {
      sink.note(new MetadataNote(source, MetadataNote.Kind.CORRUPT,
          "compressed metadata at " + source + " is corrupt; only its readable start was screened"));
    }
    return r.bytes();
  }

  private static String keyword(byte[] d, int from, int nul) {
    return Bytes.printable(new String(d, from, nul - from, StandardCharsets.ISO_8859_1));
  }
}
