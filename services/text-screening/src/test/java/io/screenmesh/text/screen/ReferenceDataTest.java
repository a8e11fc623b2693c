package io.screenmesh.text.screen;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.text.v1.ScreenTextRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Rules alone on the shared labeled reference set (JSONL: text, label 1/0, category), read only
 * where it is present: {@code -Dscreenmesh.text.reference=PATH}, or the data folder kept beside
 * the repository ({@code ../shared/data/text/reference.jsonl} from its root; tests run in this
 * module's folder, two levels down).
 * Checks that benign texts are rarely stopped (FPR &lt; 3%) and that the rules catch a fair
 * share of the in-the-wild jailbreaks; the learned detectors are meant to catch the rest.
 */
class ReferenceDataTest {

  private static final Path DEFAULT = Path.of("../../../shared/data/text/reference.jsonl");

  @Test
  void rulesKeepFalsePositivesLowOnReferenceData() throws IOException {
    Path path = Path.of(System.getProperty("screenmesh.text.reference", DEFAULT.toString()));
    assumeTrue(Files.isReadable(path), "reference data not present at " + path + "; skipped");
    TextScreener screener = new TextScreener(ScreeningSettings.defaults());
    int tp = 0;
    int pos = 0;
    int fp = 0;
    int neg = 0;
    for (String line : Files.readAllLines(path)) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject row = JsonParser.parseString(line).getAsJsonObject();
      String text = row.get("text").getAsString();
      if (text.length() > 65_536) {
        text = text.substring(0, 65_536);
      }
      boolean stopped = screener.screen(ScreenTextRequest.newBuilder().setText(text).build())
          .getVerdict().getDecision() != Decision.DECISION_ALLOW;
      if (row.get("label").getAsInt() == 1) {
        pos++;
        tp += stopped ? 1 : 0;
      } else {
        neg++;
        fp += stopped ? 1 : 0;
      }
    }
    double tpr = pos == 0 ? 0 : tp / (double) pos;
    double fpr = neg == 0 ? 0 : fp / (double) neg;
    System.out.printf("reference %s: TPR %.3f (%d/%d), FPR %.3f (%d/%d)%n", path, tpr, tp, pos, fpr, fp, neg);
    assertTrue(fpr < 0.03, "FPR " + fpr);
    assertTrue(pos == 0 || tpr >= 0.5, "TPR " + tpr);
  }
}
