package io.screenmesh.text.screen;

import io.screenmesh.text.embed.TextEmbedding;
import io.screenmesh.text.unicode.UnicodeResult;
import io.screenmesh.text.v1.ScreenTextRequest;

/**
 * What text detectors read: the request, its unicode stage (the normalized, de-confused text
 * with its offset map back to the original, the unicode findings and the hidden runs) and, when
 * the embedding stage ran, the sentence embedding of the normalized text.
 *
 * @param request the caller's request
 * @param unicode the unicode stage of {@code request.getText()}
 * @param codePointPrefix {@code prefix[i]} = code points in {@code text[0, i)}; null when the
 *     text has no surrogate pairs (code point offsets then equal UTF-16 ones)
 * @param embedding the embedding of the normalized text, its window spans mapped back to UTF-16
 *     offsets of the caller's original text; null when embeddings are disabled or unavailable
 *     (see {@link TextEmbeddings#availability()})
 */
public record PreparedText(ScreenTextRequest request, UnicodeResult unicode, int[] codePointPrefix,
    TextEmbedding embedding) {

  /** A prepared text without an embedding. */
  public PreparedText(ScreenTextRequest request, UnicodeResult unicode, int[] codePointPrefix) {
    this(request, unicode, codePointPrefix, null);
  }

  /** The caller's original text. */
  public String text() {
    return request.getText();
  }

  /** This text with {@code e} as its embedding. */
  public PreparedText withEmbedding(TextEmbedding e) {
    return new PreparedText(request, unicode, codePointPrefix, e);
  }
}
