package io.screenmesh.image.metadata;

/**
 * Something about the metadata itself worth reporting, apart from what its text says.
 *
 * @param source where, such as {@code png:zTXt:Comment}
 * @param kind what
 * @param message a sentence for a human reader
 */
public record MetadataNote(String source, Kind kind, String message) {

  /** What a note is about. */
  public enum Kind {
    /** A compressed text inflated past the limit (a decompression bomb) and was cut. */
    INFLATE_CAPPED,
    /** A text was longer than the limit and was cut. */
    TEXT_CUT,
    /** A metadata structure was corrupt; what could be read was kept. */
    CORRUPT
  }
}
