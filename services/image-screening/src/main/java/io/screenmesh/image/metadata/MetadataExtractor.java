package io.screenmesh.image.metadata;

import io.screenmesh.image.ImageFormat;
import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import java.util.List;

/** Reads every text an image carries in its metadata, under limits, from the raw bytes. */
public final class MetadataExtractor {

  /**
   * What was read.
   *
   * @param texts the texts with their sources ({@code png:tEXt:Comment}, {@code jpeg:COM},
   *     {@code exif:ImageDescription}, {@code xmp:dc:description}, {@code gif:comment})
   * @param notes what was noteworthy about the metadata itself (cut bombs, corruption)
   */
  public record Extraction(List<SourcedText> texts, List<MetadataNote> notes) {}

  private final int maxTexts;
  private final int maxTextChars;
  private final int maxInflatedBytes;

  /**
   * Creates an extractor.
   *
   * @param maxTexts the most distinct sources screened (further ones are joined into one)
   * @param maxTextChars the longest text per source
   * @param maxInflatedBytes the most bytes one compressed text may inflate to
   */
  public MetadataExtractor(int maxTexts, int maxTextChars, int maxInflatedBytes) {
    this.maxTexts = maxTexts;
    this.maxTextChars = maxTextChars;
    this.maxInflatedBytes = maxInflatedBytes;
  }

  /** Reads the metadata text of {@code data}, an image in {@code format}. */
  public Extraction extract(ImageFormat format, byte[] data) {
    TextSink sink = new TextSink(maxTexts, maxTextChars);
    switch (format) {
      case PNG -> PngText.extract(data, sink, maxInflatedBytes);
      case JPEG -> JpegText.extract(data, sink);
      case GIF -> GifText.extract(data, sink);
      case BMP -> { } // BMP has no text metadata.
    }
    return new Extraction(sink.texts(), sink.notes());
  }
}
