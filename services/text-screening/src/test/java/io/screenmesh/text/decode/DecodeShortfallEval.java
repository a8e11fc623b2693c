package io.screenmesh.text.decode;

import io.screenmesh.text.screen.Hit;
import io.screenmesh.text.screen.ScreeningSettings;
import io.screenmesh.text.screen.TextScreener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How often the decoder reports content it could not screen ({@code text.decode.unscreened}:
 * the decode budget ran out, or nesting went past the depth) on labeled JSONL, per label and
 * source: what that report costs benign texts in FLAGs. Not a test; run it from the module
 * folder after test-compile:
 *
 * <pre>
 * java -cp "target/test-classes:target/classes:target/quarkus-app/lib/main/*:target/quarkus-app/lib/boot/*" \
 *     io.screenmesh.text.decode.DecodeShortfallEval ../../../shared/data/text/train.jsonl ../../../shared/data/text/reference.jsonl
 * </pre>
 */
public final class DecodeShortfallEval {

  private DecodeShortfallEval() {}

  public static void main(String[] args) throws IOException {
    var analyzer = TextScreener.analyzer(ScreeningSettings.defaults(), new io.screenmesh.text.unicode.Confusables());
    Map<String, int[]> bySource = new TreeMap<>();
    for (String file : args) {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.isBlank()) {
          continue;
        }
        var row = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
        String text = row.get("text").getAsString();
        String key = Path.of(file).getFileName() + " label " + row.get("label").getAsInt() + " "
            + (row.has("source") ? row.get("source").getAsString() : "-");
        List<Hit> hits = analyzer.decodeHits(analyzer.normalize(text), analyzer.newBudget());
        boolean unscreened = hits.stream().anyMatch(h -> h.detector().equals("text.decode.unscreened"));
        int[] c = bySource.computeIfAbsent(key, k -> new int[2]);
        c[0]++;
        c[1] += unscreened ? 1 : 0;
      }
    }
    System.out.println("| file, label, source | texts | text.decode.unscreened |");
    System.out.println("|---|---:|---:|");
    bySource.forEach((k, c) -> System.out.printf("| %s | %d | %d |%n", k, c[0], c[1]));
  }
}
