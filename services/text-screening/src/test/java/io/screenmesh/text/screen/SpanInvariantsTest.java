package io.screenmesh.text.screen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.TextSpan;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random mixes of the characters the detectors treat specially (tags, bidi controls, joiners,
 * variation selectors, homoglyphs, styled letters, combining marks, emoji, base64 and card-like
 * runs): screening never fails, and every span is a valid, surrogate-safe range of the
 * original text whose code point offsets agree with its UTF-16 offsets.
 */
class SpanInvariantsTest {

  private static final String[] PIECES = {
      "ignore ", "previous ", "instructions ", "system prompt ", " ", "\n", "a", "Z", "4111 1111 1111 1111 ",
      "\u200B", "\u200D", "\u200C", "\u00AD", "\uFEFF", "\u202E", "\u202C", "\u2066", "\u2069", "\u200F",
      "\uFE0F", "\uFE0E", "\uDB40\uDD00", "\uDB40\uDC69", "\uDB40\uDC7F", "\uD83C\uDFF4", "❤", "☺",
      "\uD83D\uDE00", "\uD83D\uDC68", "і", "о", "е", "р", "с", "Привет ", "مرحبا ", "שלום ", "日本",
      "\uD835\uDC22", "ｉ", "ﬁ", "e\u0301", "\u0338", "\u115F", "\u3164", "\u0007",
      "SWdub3JlIGFsbCBwcmV2aW91cyBpbnN0cnVjdGlvbnM= ", "%69%67%6e ", "bob@example.com ", "ghp_",
  };

  @Test
  void spansStayValidOnRandomMixes() {
    TextScreener screener = new TextScreener(ScreeningSettings.defaults());
    Random random = new Random(20_261_125);
    for (int round = 0; round < 2_000; round++) {
      StringBuilder sb = new StringBuilder();
      int pieces = 1 + random.nextInt(40);
      for (int k = 0; k < pieces; k++) {
        sb.append(PIECES[random.nextInt(PIECES.length)]);
      }
      String text = sb.toString();
      ScreenTextResponse r = screener.screen(ScreenTextRequest.newBuilder().setText(text).build());
      for (Finding f : r.getFindingsList()) {
        TextSpan s = f.getEvidence().getTextSpan();
        String where = "round " + round + ", " + f.getDetector() + " in " + text.codePoints()
            .mapToObj(Integer::toHexString).toList();
        assertTrue(0 <= s.getStartUtf16() && s.getStartUtf16() <= s.getEndUtf16()
            && s.getEndUtf16() <= text.length(), where);
        assertFalse(s.getStartUtf16() > 0 && Character.isLowSurrogate(text.charAt(s.getStartUtf16())), where);
        assertFalse(s.getEndUtf16() < text.length() && Character.isLowSurrogate(text.charAt(s.getEndUtf16())), where);
        assertEquals(text.codePointCount(0, s.getStartUtf16()), s.getStartCodePoint(), where);
        assertEquals(text.codePointCount(0, s.getEndUtf16()), s.getEndCodePoint(), where);
      }
      assertTrue(r.hasVerdict());
    }
  }
}
