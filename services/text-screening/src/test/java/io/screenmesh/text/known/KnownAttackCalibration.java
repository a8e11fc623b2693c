package io.screenmesh.text.known;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.screenmesh.kernels.AccelerationProviders;
import io.screenmesh.kernels.Similarity;
import io.screenmesh.text.embed.Embedder;
import io.screenmesh.text.embed.TextEmbedding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Calibrates and measures {@code text.known_attack} on the bundled exemplars (not a test: a tool
 * run by hand, see bench/RESULTS.md). The threshold is set on the benign rows of the calibration
 * file (every {@code stride}-th one) at a target false-positive rate; the evaluation files are
 * then scored at that threshold, per source (or category when a row has no source).
 *
 * <p>Usage: {@code KnownAttackCalibration CALIBRATION.jsonl STRIDE TARGET_FPR [EVAL.jsonl[:1] ...]}
 * ({@code :1}: the file's attack rows only).
 */
public final class KnownAttackCalibration {

  private KnownAttackCalibration() {}

  public static void main(String[] args) throws IOException {
    Path calibration = Path.of(args[0]);
    int stride = Integer.parseInt(args[1]);
    double targetFpr = Double.parseDouble(args[2]);
    try (Embedder embedder = Embedder.bundled(1);
        KnownAttacks attacks = KnownAttacks.start(embedder, Similarity.on(AccelerationProviders.create("java")),
            new KnownAttacks.Settings(true, List.of(), Duration.ZERO))) {
      List<JsonObject> benign = new ArrayList<>();
      int i = 0;
      for (JsonObject o : rows(calibration)) {
        if (o.get("label").getAsInt() == 0 && i++ % stride == 0) {
          benign.add(o);
        }
      }
      double[] scores = score(embedder, attacks, benign);
      double[] sorted = scores.clone();
      Arrays.sort(sorted);
      // The smallest threshold with at most targetFpr of the benign texts at or above it.
      int allowed = (int) Math.floor(targetFpr * sorted.length);
      double threshold = sorted[sorted.length - 1 - allowed] + 1e-4;
      System.out.printf(Locale.ROOT, "calibration: %s, %d benign rows (every %d-th), threshold at FPR <= %.4f: %.3f%n",
          calibration.getFileName(), benign.size(), stride, targetFpr, threshold);
      for (int a = 3; a < args.length; a++) {
        // FILE:1 keeps the attack rows only (those of a file whose benign rows calibrated).
        boolean attacksOnly = args[a].endsWith(":1");
        Path f = Path.of(attacksOnly ? args[a].substring(0, args[a].length() - 2) : args[a]);
        List<JsonObject> rows = rows(f).stream().filter(o -> !attacksOnly || o.get("label").getAsInt() == 1).toList();
        double[] s = score(embedder, attacks, rows);
        Map<String, int[]> by = new TreeMap<>();
        for (int r = 0; r < rows.size(); r++) {
          JsonObject o = rows.get(r);
          String key = (o.has("source") ? o.get("source").getAsString() : o.get("category").getAsString())
              + " (label " + o.get("label").getAsInt() + ")";
          int[] c = by.computeIfAbsent(key, k -> new int[2]);
          c[0]++;
          if (s[r] >= threshold) {
            c[1]++;
          }
        }
        for (var e : by.entrySet()) {
          System.out.printf(Locale.ROOT, "%s | %s | %d | %d | %.1f%%%n", f.getFileName(), e.getKey(), e.getValue()[0],
              e.getValue()[1], 100.0 * e.getValue()[1] / e.getValue()[0]);
        }
      }
    }
  }

  // Each text's best window's top-1 cosine with the exemplars.
  private static double[] score(Embedder embedder, KnownAttacks attacks, List<JsonObject> rows) {
    double[] out = new double[rows.size()];
    for (int from = 0; from < rows.size(); from += 16) {
      List<String> texts = rows.subList(from, Math.min(rows.size(), from + 16)).stream()
          .map(o -> o.get("text").getAsString()).toList();
      List<TextEmbedding> e = embedder.embed(texts);
      for (int t = 0; t < texts.size(); t++) {
        List<float[]> q = e.get(t).windows().stream().map(TextEmbedding.Window::vector).toList();
        double best = -1;
        for (List<KnownAttacks.Match> m : attacks.nearest(q, 1)) {
          best = Math.max(best, m.getFirst().score());
        }
        out[from + t] = best;
      }
    }
    return out;
  }

  private static List<JsonObject> rows(Path f) throws IOException {
    return Files.readAllLines(f).stream().filter(l -> !l.isBlank())
        .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
  }
}
