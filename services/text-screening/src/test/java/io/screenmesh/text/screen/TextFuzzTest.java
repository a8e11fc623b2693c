package io.screenmesh.text.screen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.screenmesh.services.common.testing.FuzzChecks;
import io.screenmesh.text.unicode.Confusables;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Fuzz target for everything text-screening reads from a caller's text: the Unicode stage, the
 * rules and secret formats, and the payload decoders (base64, hex, URL encoding, rot13, tag
 * characters) with their nested re-analysis under the decode budget. Every hit must point
 * inside the text. Seeds: {@code TextFuzzTestInputs/analyze}.
 */
class TextFuzzTest {

  private static final TextAnalyzer ANALYZER = TextScreener.analyzer(ScreeningSettings.defaults(), new Confusables());
  // The decode budget's characters (UTF-16, re-analysed at each depth) and the matchers' state.
  // Allocation is counted with its garbage; each budget character may be tried as plain base64,
  // as re-joined wrapped base64 and through rot13, hence 128 bytes a character and depth (64
  // before those attempts; a 361-byte input found by fuzzing allocated 33 MB against that).
  // While fuzzing, Jazzer's regex hooks stay off (jazzer.disabled_hooks in the module pom's
  // surefire configuration): their garbage, not the analysis's, took a 415-byte input from 0.5 MB
  // to 63 MB.
  private static final long ALLOWANCE =
      128L * ScreeningSettings.defaults().decodeMaxChars() * ScreeningSettings.defaults().decodeMaxDepth() + (4L << 20);

  @FuzzTest
  void analyze(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    FuzzChecks.check(data.length, ALLOWANCE, Set.of(), () -> {
      for (Hit h : ANALYZER.analyze(text, null).hits()) {
        assertTrue(0 <= h.start() && h.start() <= h.end() && h.end() <= text.length(),
            h.detector() + " span " + h.start() + ".." + h.end() + " outside " + text.length());
      }
    });
  }
}
