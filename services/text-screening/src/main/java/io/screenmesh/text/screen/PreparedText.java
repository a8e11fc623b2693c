package io.screenmesh.text.screen;

import io.screenmesh.text.unicode.UnicodeResult;
import io.screenmesh.text.v1.ScreenTextRequest;

/**
 * What text detectors read: the request, and its unicode stage (the normalized, de-confused text
 * with its offset map back to the original, the unicode findings and the hidden runs).
 *
 * @param request the caller's request
 * @param unicode the unicode stage of {@code request.getText()}
 * @param codePointPrefix {@code prefix[i]} = code points in {@code text[0, i)}; null when the
 *     text has no surrogate pairs (code point offsets then equal UTF-16 ones)
 */
public record PreparedText(ScreenTextRequest request, UnicodeResult unicode, int[] codePointPrefix) {

  /** The caller's original text. */
  public String text() {
    return request.getText();
  }
}
