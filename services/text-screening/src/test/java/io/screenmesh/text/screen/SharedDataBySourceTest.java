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
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The built-in detectors, in process, on each shared labeled file (reference.jsonl, train.jsonl),
 * reported per source: the share of each source that is not allowed (TPR for attack sources, FPR
 * for benign ones). The in-process twin of {@code ./screenmesh eval} for text, without a mesh;
 * bench/RESULTS.md records its output. Runs only where the data folder is kept beside the
 * repository (or {@code -Dscreenmesh.text.data=DIR}); checks that no benign source is stopped
 * more than 3% of the time.
 */
class SharedDataBySourceTest {

  private static final Path DEFAULT = Path.of("../../../shared/data/text");

  @Test
  void benignSourcesStayBelowThreePercentStopped() throws IOException {
    Path dir = Path.of(System.getProperty("screenmesh.text.data", DEFAULT.toString()));
    assumeTrue(Files.isReadable(dir.resolve("reference.jsonl")), "shared data not present at " + dir + "; skipped");
    TextScreener screener = new TextScreener(ScreeningSettings.defaults());
    for (String file : new String[] {"reference.jsonl", "train.jsonl"}) {
      Path path = dir.resolve(file);
      if (!Files.isReadable(path)) {
        continue;
      }
      Map<String, int[]> bySource = new TreeMap<>(); // label, stopped, total
      for (String line : Files.readAllLines(path)) {
        if (line.isBlank()) {
          continue;
        }
        JsonObject row = JsonParser.parseString(line).getAsJsonObject();
        String source = row.has("source") ? row.get("source").getAsString() : row.get("category").getAsString();
        String text = row.get("text").getAsString();
        if (text.length() > 65_536) {
          text = text.substring(0, 65_536);
        }
        boolean stopped = screener.screen(ScreenTextRequest.newBuilder().setText(text).build())
            .getVerdict().getDecision() != Decision.DECISION_ALLOW;
        int[] c = bySource.computeIfAbsent(source, k -> new int[] {row.get("label").getAsInt(), 0, 0});
        c[1] += stopped ? 1 : 0;
        c[2]++;
      }
      System.out.println("| " + file + " source | label | n | not allowed |");
      System.out.println("|---|---|---|---|");
      int[] attack = new int[2];
      int[] benign = new int[2];
      for (var e : bySource.entrySet()) {
        int[] c = e.getValue();
        System.out.printf("| %s | %s | %d | %.1f%% (%d) |%n", e.getKey(), c[0] == 1 ? "attack" : "benign", c[2],
            100.0 * c[1] / c[2], c[1]);
        int[] sum = c[0] == 1 ? attack : benign;
        sum[0] += c[1];
        sum[1] += c[2];
      }
      System.out.printf("| all attacks | | %d | %.1f%% (%d) |%n| all benign | | %d | %.1f%% (%d) |%n",
          attack[1], 100.0 * attack[0] / Math.max(1, attack[1]), attack[0],
          benign[1], 100.0 * benign[0] / Math.max(1, benign[1]), benign[0]);
      for (var e : bySource.entrySet()) {
        int[] c = e.getValue();
        if (c[0] == 0) {
          assertTrue(c[1] <= 0.03 * c[2], file + " " + e.getKey() + ": " + c[1] + " of " + c[2] + " benign stopped");
        }
      }
    }
  }
}
