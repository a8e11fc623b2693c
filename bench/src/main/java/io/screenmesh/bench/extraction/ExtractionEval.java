package io.screenmesh.bench.extraction;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.screenmesh.fusion.extraction.ExtractionMonitor;
import io.screenmesh.text.embed.Embedder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Evaluates the front door's model-extraction monitor on real text: ordinary prompts (the benign
 * rows of the shared text data) against synthetic extraction sweeps, both embedded in-process with
 * text-screening's MiniLM {@link Embedder} and judged by {@link ExtractionMonitor} with its
 * default settings (or {@code --w-threshold}).
 *
 * <p>The ordinary streams of train.jsonl are the calibration split and those of reference.jsonl
 * the reported one: the separating threshold range is printed for both, so that a threshold
 * read off the first can be checked on the second.
 *
 * <p>Usage: {@code ExtractionEval [--data DIR] [--threads N] [--max-chars N] [--w-threshold W]}.
 */
public final class ExtractionEval {

  private static final int PRINCIPAL_QUERIES = 500;
  private static final int FLAG_TARGET = 200;
  private static final long[] SHUFFLE_SEEDS = {1, 2, 3};
  private static final long[] SWEEP_SEEDS = {11, 12, 13};

  private ExtractionEval() {}

  /** One principal's stream and what the monitor made of it. */
  record Run(String name, int queries, int firstFlag, double minW, double minWWithinTarget, List<Double> ws) {}

  /** Runs the evaluation and prints the report. */
  public static void main(String[] args) throws IOException {
    Path data = Path.of("../shared/data/text");
    int threads = 2;
    int maxChars = 1000;
    ExtractionMonitor.Settings settings = ExtractionMonitor.Settings.DEFAULT;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--max-chars" -> maxChars = Integer.parseInt(args[++i]);
        case "--w-threshold" -> {
          ExtractionMonitor.Settings d = settings;
          settings = new ExtractionMonitor.Settings(d.maxPrincipals(), d.maxGrowingSet(), d.window(), d.minQueries(),
              Double.parseDouble(args[++i]));
        }
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    Map<String, List<String>> ordinary = new LinkedHashMap<>();
    ordinary.put("train", benign(data.resolve("train.jsonl"), maxChars));
    ordinary.put("reference", benign(data.resolve("reference.jsonl"), maxChars));
    Map<String, List<String>> sweeps = Sweeps.all(SWEEP_SEEDS);

    // Only the first window of a text is embedded: the monitor is about what a caller asks, and
    // a long document's head says what it is; past 2 windows the Embedder spreads windows out.
    Embedder.Options options = new Embedder.Options(threads, 256, 64, 2, 1);
    Map<String, float[]> vectors = new HashMap<>();
    long t0 = System.nanoTime();
    try (Embedder embedder = Embedder.bundled(options)) {
      List<List<String>> all = new ArrayList<>(ordinary.values());
      all.addAll(sweeps.values());
      for (List<String> texts : all) {
        for (String t : texts) {
          vectors.computeIfAbsent(t, k -> embedder.embed(k).first().vector());
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "embedded %d distinct texts in %.1f s (%d threads, first window only, %d chars max)%n",
        vectors.size(), seconds, threads, maxChars);
    System.out.printf(Locale.ROOT, "settings: %s%n%n", settings);

    Map<String, List<Run>> ordinaryRuns = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : ordinary.entrySet()) {
      List<Run> runs = new ArrayList<>();
      List<String> texts = e.getValue();
      runs.addAll(principals(e.getKey() + "/data-order", texts, vectors, settings));
      for (long seed : SHUFFLE_SEEDS) {
        List<String> shuffled = new ArrayList<>(texts);
        Collections.shuffle(shuffled, new Random(seed));
        runs.addAll(principals(e.getKey() + "/shuffled-" + seed, shuffled, vectors, settings));
      }
      ordinaryRuns.put(e.getKey(), runs);
      report("ordinary " + e.getKey() + " (" + texts.size() + " benign prompts)", runs, settings, false);
    }
    List<Run> sweepRuns = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : sweeps.entrySet()) {
      sweepRuns.add(judge(e.getKey(), e.getValue(), vectors, settings));
    }
    report("synthetic extraction sweeps", sweepRuns, settings, true);

    double sweepCeiling = sweepRuns.stream().mapToDouble(Run::minWWithinTarget).max().orElse(Double.NaN);
    for (Map.Entry<String, List<Run>> e : ordinaryRuns.entrySet()) {
      double floor = e.getValue().stream().mapToDouble(Run::minW).min().orElse(Double.NaN);
      System.out.printf(Locale.ROOT,
          "separation on %s: a threshold t flags every sweep within %d queries and no ordinary principal iff "
              + "%.4f < t <= %.4f%s%n",
          e.getKey(), FLAG_TARGET, sweepCeiling, floor, sweepCeiling < floor ? "" : "  (EMPTY: they overlap)");
    }
  }

  /** The texts of the rows labelled benign, cut to {@code maxChars}, in file order. */
  static List<String> benign(Path jsonl, int maxChars) {
    List<String> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(jsonl)) {
        if (line.isBlank()) {
          continue;
        }
        JsonObject row = JsonParser.parseString(line).getAsJsonObject();
        if (row.get("label").getAsInt() == 0) {
          String text = row.get("text").getAsString();
          out.add(text.length() > maxChars ? text.substring(0, maxChars) : text);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + jsonl, e);
    }
    return out;
  }

  /** Principals of 500 queries each over {@code texts}, then one principal sending all of them. */
  private static List<Run> principals(String name, List<String> texts, Map<String, float[]> vectors,
      ExtractionMonitor.Settings settings) {
    List<Run> runs = new ArrayList<>();
    for (int from = 0; from + PRINCIPAL_QUERIES <= texts.size(); from += PRINCIPAL_QUERIES) {
      runs.add(judge(name + "/p" + (from / PRINCIPAL_QUERIES), texts.subList(from, from + PRINCIPAL_QUERIES), vectors,
          settings));
    }
    runs.add(judge(name + "/all", texts, vectors, settings));
    return runs;
  }

  /** One principal's stream through a fresh monitor. */
  private static Run judge(String name, List<String> texts, Map<String, float[]> vectors,
      ExtractionMonitor.Settings settings) {
    ExtractionMonitor monitor = new ExtractionMonitor(settings);
    int firstFlag = -1;
    double minW = Double.POSITIVE_INFINITY;
    double minWithin = Double.POSITIVE_INFINITY;
    List<Double> ws = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      ExtractionMonitor.Observation o = monitor.observe(name, vectors.get(texts.get(i)));
      if (!Double.isNaN(o.w())) {
        ws.add(o.w());
        minW = Math.min(minW, o.w());
        if (i < FLAG_TARGET) {
          minWithin = Math.min(minWithin, o.w());
        }
      }
      if (o.flagged() && firstFlag < 0) {
        firstFlag = i + 1;
      }
    }
    return new Run(name, texts.size(), firstFlag, minW, minWithin, ws);
  }

  private static void report(String title, List<Run> runs, ExtractionMonitor.Settings settings, boolean sweeps) {
    System.out.printf(Locale.ROOT, "== %s: %d principals%n", title, runs.size());
    int flagged = 0;
    List<Double> all = new ArrayList<>();
    double[] mins = new double[runs.size()];
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      all.addAll(r.ws());
      mins[i] = r.minW();
      if (r.firstFlag() > 0) {
        flagged++;
      }
      boolean miss = sweeps ? r.firstFlag() < 0 || r.firstFlag() > FLAG_TARGET : r.firstFlag() > 0;
      if (sweeps || miss || r.name().endsWith("/all")) {
        System.out.printf(Locale.ROOT, "  %-44s n=%5d first flag=%5s  min W=%.4f  min W in first %d=%.4f%s%n",
            r.name(), r.queries(), r.firstFlag() < 0 ? "-" : Integer.toString(r.firstFlag()), r.minW(), FLAG_TARGET,
            r.minWWithinTarget(), miss ? "  MISS" : "");
      }
    }
    double[] ws = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    Arrays.sort(mins);
    System.out.printf(Locale.ROOT, "  flagged at W < %.2f: %d of %d principals%n", settings.wThreshold(), flagged,
        runs.size());
    System.out.printf(Locale.ROOT, "  W over every judged query (%d): %s%n", ws.length, percentiles(ws));
    System.out.printf(Locale.ROOT, "  per-principal min W: %s%n%n", percentiles(mins));
  }

  private static String percentiles(double[] sorted) {
    if (sorted.length == 0) {
      return "none";
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "min %.4f", sorted[0]));
    for (int p : new int[] {1, 5, 25, 50, 75, 95}) {
      sb.append(String.format(Locale.ROOT, ", p%d %.4f", p, sorted[(int) Math.floor(p / 100.0 * (sorted.length - 1))]));
    }
    sb.append(String.format(Locale.ROOT, ", max %.4f", sorted[sorted.length - 1]));
    return sb.toString();
  }
}
