package io.screenmesh.text.screen;

import jakarta.inject.Singleton;

/**
 * {@code text.decode}: decode-and-rescan. Hidden runs (tag characters, variation selectors) and
 * encoded payloads (base64, also wrapped or split by spaces and put through rot13; hex, URL
 * encoding, rot13) are decoded, nested up to the configured depth within the text's payload and
 * character budget, and analysed in full; findings point at the encoded run.
 */
@Singleton
public class DecodeDetector extends StageDetector {

  /** The detector id. */
  public static final String ID = "text.decode";

  /** A detector over {@code analyzer}'s stage. */
  public DecodeDetector(TextAnalyzer analyzer) {
    super(ID, t -> analyzer.decodeHits(t.unicode(), analyzer.newBudget()));
  }
}
