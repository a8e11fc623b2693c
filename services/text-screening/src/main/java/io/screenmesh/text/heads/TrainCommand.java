package io.screenmesh.text.heads;

import io.screenmesh.text.embed.Embedder;
import io.screenmesh.text.embed.TextEmbedding;
import io.screenmesh.text.screen.ScreeningSettings;
import io.screenmesh.text.screen.TextAnalyzer;
import io.screenmesh.text.screen.TextScreener;
import io.screenmesh.text.unicode.Confusables;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code ./screenmesh train}: fits the learned heads on labeled JSONL files, reports
 * leave-one-source-out figures per source, calibrates each threshold at the target false-positive
 * rate on out-of-fold benign scores, and writes {@code heads.json} and {@code MODEL_CARD.md} into
 * the output folder. Exit codes: 0 done, 1 the data or files were refused, 2 bad usage.
 */
public final class TrainCommand {

  static final String USAGE = "usage: screenmesh train --text-jsonl FILE [--text-jsonl FILE]... --out DIR "
      + "[--seed 1] [--fpr 0.01] [--length capped|none|raw] [--scores FILE] [--embedding-cache FILE] [--threads 2]";

  private static final int BATCH = 32;

  private TrainCommand() {}

  /** Runs the command and exits with its code. */
  public static void main(String[] argv) {
    System.exit(run(argv, System.out, System.err));
  }

  /** The options of one run. */
  record Options(List<Path> files, Path out, long seed, double fpr, FeatureSpec.LengthMode length, Path scores,
      Path cache, int threads) {}

  /** Runs the command: {@code out} gets the report, {@code err} progress and errors. */
  static int run(String[] argv, PrintStream out, PrintStream err) {
    Options o;
    try {
      o = parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("screenmesh train: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    try (Embedder embedder = Embedder.bundled(o.threads())) {
      return train(o, embedder, out, err);
    } catch (IllegalArgumentException e) {
      err.println("screenmesh train: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("screenmesh train: " + e);
      return 1;
    }
  }

  static Options parse(String[] argv) {
    List<Path> files = new ArrayList<>();
    Map<String, String> flags = new TreeMap<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value" : "unexpected argument '" + a + "'");
      }
      String v = argv[++i];
      switch (a) {
        case "--text-jsonl" -> files.add(Path.of(v));
        case "--out", "--seed", "--fpr", "--length", "--scores", "--embedding-cache", "--threads" -> flags.put(a, v);
        default -> throw new IllegalArgumentException("unknown flag " + a);
      }
    }
    if (files.isEmpty() || !flags.containsKey("--out")) {
      throw new IllegalArgumentException("--text-jsonl and --out are required");
    }
    double fpr = Double.parseDouble(flags.getOrDefault("--fpr", "0.01"));
    if (!(fpr > 0 && fpr < 1)) {
      throw new IllegalArgumentException("--fpr must be in (0, 1), got " + fpr);
    }
    return new Options(files, Path.of(flags.get("--out")), Long.parseLong(flags.getOrDefault("--seed", "1")), fpr,
        FeatureSpec.LengthMode.parse(flags.getOrDefault("--length", "capped")),
        flags.containsKey("--scores") ? Path.of(flags.get("--scores")) : null,
        flags.containsKey("--embedding-cache") ? Path.of(flags.get("--embedding-cache")) : null,
        Integer.parseInt(flags.getOrDefault("--threads", "2")));
  }

  static int train(Options o, Embedder embedder, PrintStream out, PrintStream err) throws IOException {
    List<LabeledData.Item> items = LabeledData.read(o.files());
    long attacks = items.stream().filter(i -> i.label() == 1).count();
    if (attacks == 0 || attacks == items.size()) {
      throw new IllegalArgumentException(o.files() + " hold" + (o.files().size() == 1 ? "s" : "") + " "
          + (attacks == 0 ? "only benign texts (label 0)" : "only attacks (label 1)") + ", " + items.size()
          + " in all: heads need both classes, attacks and benign texts");
    }
    FeatureSpec spec = new FeatureSpec(FeatureSpec.VERSION, embedder.dimension(), o.length());
    TextAnalyzer analyzer = TextScreener.analyzer(ScreeningSettings.defaults(), new Confusables());
    List<Trainer.Example> examples = features(items, spec, embedder, analyzer, o.cache(), err);

    Trainer trainer = new Trainer(LogisticRegression.Options.defaults(o.seed()), o.threads());
    long t0 = System.nanoTime();
    err.println("screenmesh train: leave-one-source-out over "
        + items.stream().map(LabeledData.Item::source).distinct().count() + " sources...");
    Trainer.CrossValidation cv = trainer.crossValidate(examples, o.fpr());
    err.printf(Locale.ROOT, "screenmesh train: cross-validation took %.0f s; fitting the final heads%n",
        (System.nanoTime() - t0) / 1e9);
    Map<HeadCategory, LogisticRegression.Model> models = trainer.fit(examples);
    List<Head> heads = new ArrayList<>();
    models.forEach((c, m) -> heads.add(new Head(c, m, cv.thresholds().get(c))));
    HeadSet set = new HeadSet(spec, embedder.modelSha256(), o.fpr(), o.seed(), heads);
    set.write(o.out());
    String report = report(cv, o.fpr());
    out.print(report);
    Files.writeString(o.out().resolve("MODEL_CARD.md"), ModelCard.write(o, set, items, cv, report),
        StandardCharsets.UTF_8);
    if (o.scores() != null) {
      writeScores(o.scores(), items, cv.margins());
    }
    out.println("wrote " + o.out().resolve(HeadSet.FILE) + " and " + o.out().resolve("MODEL_CARD.md"));
    return 0;
  }

  private static List<Trainer.Example> features(List<LabeledData.Item> items, FeatureSpec spec, Embedder embedder,
      TextAnalyzer analyzer, Path cachePath, PrintStream err) throws IOException {
    EmbeddingCache cache = EmbeddingCache.open(cachePath, embedder.modelSha256() + " " + embedder.options());
    List<TextEmbedding> embeddings = new ArrayList<>(items.size());
    List<String> pending = new ArrayList<>();
    long t0 = System.nanoTime();
    int done = 0;
    for (int i = 0; i <= items.size(); i++) {
      if (i < items.size()) {
        String text = items.get(i).text();
        if (cache.get(text) == null && !pending.contains(text)) {
          pending.add(text);
        }
      }
      if (pending.size() == BATCH || (i == items.size() && !pending.isEmpty())) {
        List<TextEmbedding> got = embedder.embed(pending);
        for (int k = 0; k < pending.size(); k++) {
          cache.put(pending.get(k), got.get(k));
        }
        done += pending.size();
        pending.clear();
        if (done % (BATCH * 20) == 0) {
          err.printf(Locale.ROOT, "screenmesh train: embedded %d texts (%.0f s)%n", done, (System.nanoTime() - t0) / 1e9);
        }
      }
    }
    cache.save();
    List<Trainer.Example> examples = new ArrayList<>(items.size());
    for (LabeledData.Item it : items) {
      TextEmbedding e = cache.get(it.text());
      embeddings.add(e);
      var hits = HeadFeatures.hits(analyzer, analyzer.normalize(it.text()));
      examples.add(new Trainer.Example(it.source(), it.label(), it.category(),
          HeadFeatures.rows(spec, e, hits, it.text().length())));
    }
    err.printf(Locale.ROOT, "screenmesh train: %d texts, %d windows, features ready (%.0f s)%n", items.size(),
        embeddings.stream().mapToInt(x -> x.windows().size()).sum(), (System.nanoTime() - t0) / 1e9);
    return examples;
  }

  /** The per-source table, then the overall line and each head's threshold and AUC. */
  static String report(Trainer.CrossValidation cv, double fpr) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "leave-one-source-out, thresholds at %.2f%% FPR on out-of-fold benign scores%n",
        100 * fpr));
    String fmt = "%-28s %-7s %6s %7s %7s %7s%n";
    s.append(String.format(Locale.ROOT, fmt, "SOURCE", "LABEL", "ITEMS", "FLAGGED", "RATE", "AUC"));
    for (Trainer.SourceResult r : cv.sources()) {
      s.append(String.format(Locale.ROOT, fmt, r.source(), r.label() == 1 ? "attack" : "benign", r.items(), r.flagged(),
          pct(r.rate()), Double.isNaN(r.auc()) ? "-" : String.format(Locale.ROOT, "%.4f", r.auc())));
    }
    s.append(String.format(Locale.ROOT, "overall: TPR %s at FPR %s, ROC AUC %.4f%n", pct(cv.tpr()), pct(cv.fpr()),
        cv.auc()));
    Map<HeadCategory, Double> sorted = new EnumMap<>(cv.thresholds());
    sorted.forEach((c, t) -> s.append(String.format(Locale.ROOT, "head %-9s threshold %.4f (log-odds %.3f), "
        + "out-of-fold AUC on its own attacks %s%n", c.key(), LogisticRegression.sigmoid(t), t,
        cv.headAuc().get(c).isNaN() ? "- (its only attack source is held out in its own fold)"
            : String.format(Locale.ROOT, "%.4f", cv.headAuc().get(c)))));
    return s.toString();
  }

  static String pct(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  private static void writeScores(Path file, List<LabeledData.Item> items, double[] margins) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < items.size(); i++) {
      LabeledData.Item it = items.get(i);
      double m = margins[i];
      s.append(String.format(Locale.ROOT, "{\"i\":%d,\"file\":\"%s\",\"line\":%d,\"source\":\"%s\",\"label\":%d,"
              + "\"score\":%.6f,\"pred\":%d}%n", i, json(it.file().getFileName().toString()), it.line(), json(it.source()),
          it.label(), Double.isInfinite(m) ? 0.0 : LogisticRegression.sigmoid(m), m > 0 ? 1 : 0));
    }
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, s, StandardCharsets.UTF_8);
  }

  static String json(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** Sources in first-seen order with their licences and origins, for the model card. */
  static Map<String, TreeSet<String>[]> provenance(List<LabeledData.Item> items) {
    Map<String, TreeSet<String>[]> m = new LinkedHashMap<>();
    for (LabeledData.Item it : items) {
      @SuppressWarnings("unchecked")
      TreeSet<String>[] v = m.computeIfAbsent(it.source(), k -> new TreeSet[] {new TreeSet<>(), new TreeSet<>()});
      if (!it.license().isEmpty()) {
        v[0].add(it.license());
      }
      // Derived rows join every part's origin with " + "; each part is repository@commit:path#key.
      for (String part : it.origin().split(" \\+ ")) {
        int at = part.indexOf('@');
        if (!part.isBlank()) {
          v[1].add(at > 0 ? part.substring(0, at).strip() : part.strip());
        }
      }
    }
    return m;
  }
}
