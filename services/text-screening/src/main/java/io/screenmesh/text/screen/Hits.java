package io.screenmesh.text.screen;

import io.screenmesh.common.v1.Evidence;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.TextSpan;

/** Turns a detector's {@link Hit} into the contract's {@link Finding}. */
public final class Hits {

  private Hits() {}

  /**
   * The finding of {@code h}, its span in UTF-16 and code point offsets.
   *
   * @param cpPrefix see {@link PreparedText#codePointPrefix()}
   */
  public static Finding toFinding(Hit h, int[] cpPrefix) {
    TextSpan span = TextSpan.newBuilder()
        .setStartUtf16(h.start())
        .setEndUtf16(h.end())
        .setStartCodePoint(cpPrefix == null ? h.start() : cpPrefix[h.start()])
        .setEndCodePoint(cpPrefix == null ? h.end() : cpPrefix[h.end()])
        .setSource(h.source())
        .build();
    return Finding.newBuilder()
        .setDetector(h.detector())
        .setCategory(h.category())
        .setScore(h.score())
        .setSeverity(h.severity())
        .setEvidence(Evidence.newBuilder().setTextSpan(span).setExcerpt(h.excerpt()))
        .setMessage(h.message())
        .setModality(Modality.MODALITY_TEXT)
        .build();
  }

  /**
   * {@code prefix[i]} = number of code points in {@code text[0, i)}; null when the text has no
   * surrogate pairs. Valid only for text without lone surrogates.
   */
  public static int[] codePointPrefix(String text) {
    boolean pairs = false;
    for (int i = 0; i < text.length() && !pairs; i++) {
      pairs = Character.isSurrogate(text.charAt(i));
    }
    if (!pairs) {
      return null;
    }
    int[] prefix = new int[text.length() + 1];
    int cps = 0;
    for (int i = 0; i < text.length(); i++) {
      prefix[i] = cps;
      if (!Character.isLowSurrogate(text.charAt(i))) {
        cps++;
      }
    }
    prefix[text.length()] = cps;
    return prefix;
  }
}
