package io.screenmesh.text.screen;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Severity;

/**
 * One detector result before it becomes a {@code Finding}: its span is in UTF-16 units of
 * the text that was analysed (the caller's original text at the top level).
 *
 * @param detector stable detector id, such as {@code text.injection.override}
 * @param category the risk category
 * @param severity how serious it is on its own
 * @param score confidence in [0, 1]
 * @param start start offset, UTF-16 units, inclusive
 * @param end end offset, UTF-16 units, exclusive
 * @param source where the evidence came from when it is decoded content ("decoded:base64"),
 *     empty for the analysed text itself
 * @param excerpt a short excerpt that is safe to log (secrets masked)
 * @param message a sentence for a human reader
 */
public record Hit(String detector, Category category, Severity severity, float score,
    int start, int end, String source, String excerpt, String message) {

  /** The most characters of matched text an excerpt carries. */
  public static final int MAX_EXCERPT = 80;

  /** This hit moved onto another span and source (for content decoded from that span). */
  public Hit relocate(int newStart, int newEnd, String newSource) {
    return new Hit(detector, category, severity, score, newStart, newEnd, newSource, excerpt, message);
  }

  /** {@code s} cut to {@link #MAX_EXCERPT} characters without splitting a surrogate pair. */
  public static String excerptOf(CharSequence s) {
    if (s.length() <= MAX_EXCERPT) {
      return s.toString();
    }
    int cut = MAX_EXCERPT;
    if (Character.isHighSurrogate(s.charAt(cut - 1))) {
      cut--;
    }
    return s.subSequence(0, cut) + "…";
  }
}
