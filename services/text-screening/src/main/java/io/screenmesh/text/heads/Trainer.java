package io.screenmesh.text.heads;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Fits one head per category, judges them by leaving whole sources out, and calibrates their
 * thresholds on out-of-fold benign scores. Plain computation over feature rows: no embedding model,
 * no files.
 *
 * <p>Each head is fitted on the windows of its own attacks against the windows of every benign
 * text, class-balanced, with each source's items weighted {@code 1/sqrt(n)} so that a big source
 * does not drown a small one. A long attack may hold its attack in one window only: the first fit
 * shares an attack's weight among its windows, the second keeps only the window the first fit
 * scores highest (multiple-instance learning) and starts from the first fit's coefficients. Every
 * benign window counts in full, since a text is scored by its worst window.
 *
 * <p>Leave-one-source-out: for each source, heads are fitted on every other source and score the
 * held-out one; a head whose only attack source is the held-out one is absent in that fold (the
 * other heads still score it). The thresholds are then set together on those out-of-fold benign
 * scores: the same number of benign texts allowed above each head's threshold, the largest number
 * for which the benign texts above any threshold stay within the target rate.
 */
public final class Trainer {

  /**
   * One labeled text as feature rows.
   *
   * @param source where it came from (the unit left out)
   * @param label 1 attack, 0 benign
   * @param category the head an attack trains; null for benign texts
   * @param windows one feature row per window, at least one
   */
  public record Example(String source, int label, HeadCategory category, List<float[]> windows) {

    /** Checks the values. */
    public Example {
      if (windows.isEmpty()) {
        throw new IllegalArgumentException("an example needs at least one window");
      }
      if (label == 1 && category == null) {
        throw new IllegalArgumentException("an attack needs a head category");
      }
    }
  }

  /**
   * The figures of one source, held out.
   *
   * @param source the source
   * @param label its label (1 attacks, 0 benign)
   * @param items its texts
   * @param flagged how many were above a threshold
   * @param auc ROC AUC of its texts against every benign text (NaN for a benign source)
   */
  public record SourceResult(String source, int label, int items, int flagged, double auc) {

    /** The share flagged: TPR for an attack source, FPR for a benign one. */
    public double rate() {
      return items == 0 ? Double.NaN : (double) flagged / items;
    }
  }

  /**
   * What {@link #crossValidate} found.
   *
   * @param thresholds per head, in log-odds
   * @param margins per example, its highest margin over the heads' thresholds (out-of-fold)
   * @param sources per source, in name order
   * @param tpr overall share of attacks flagged
   * @param fpr overall share of benign texts flagged
   * @param auc overall ROC AUC of the margins
   * @param headAuc per head, ROC AUC of its out-of-fold scores on its own attacks against benign texts
   */
  public record CrossValidation(Map<HeadCategory, Double> thresholds, double[] margins, List<SourceResult> sources,
      double tpr, double fpr, double auc, Map<HeadCategory, Double> headAuc) {}

  private final LogisticRegression.Options options;
  private final int threads;

  /** A trainer with these fitting options, fitting one fold at a time. */
  public Trainer(LogisticRegression.Options options) {
    this(options, 1);
  }

  /**
   * A trainer with these fitting options, fitting up to {@code threads} folds at once (each fold on
   * one thread, so the results do not depend on how many).
   */
  public Trainer(LogisticRegression.Options options, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be positive, got " + threads);
    }
    this.options = options;
    this.threads = threads;
  }

  /**
   * Fits every head that has attacks among {@code examples}.
   *
   * @throws IllegalArgumentException when there are no benign texts or no attacks
   */
  public Map<HeadCategory, LogisticRegression.Model> fit(List<Example> examples) {
    requireBothClasses(examples);
    Map<HeadCategory, LogisticRegression.Model> out = new EnumMap<>(HeadCategory.class);
    for (HeadCategory c : HeadCategory.values()) {
      if (examples.stream().anyMatch(e -> e.category() == c)) {
        out.put(c, fitHead(examples, c));
      }
    }
    return out;
  }

  /** Refuses data with one class only. */
  public static void requireBothClasses(List<Example> examples) {
    long attacks = examples.stream().filter(e -> e.label() == 1).count();
    long benign = examples.size() - attacks;
    if (attacks == 0 || benign == 0) {
      throw new IllegalArgumentException("the data has " + attacks + " attacks and " + benign
          + " benign texts: heads need both classes (label 1 and label 0)");
    }
  }

  /**
   * Leave-one-source-out over {@code examples}, then thresholds at {@code fpr} on the out-of-fold
   * benign scores.
   *
   * @throws IllegalArgumentException when there are fewer than two sources or one class only
   */
  public CrossValidation crossValidate(List<Example> examples, double fpr) {
    requireBothClasses(examples);
    TreeSet<String> sources = new TreeSet<>();
    examples.forEach(e -> sources.add(e.source()));
    if (sources.size() < 2) {
      throw new IllegalArgumentException("leaving one source out needs two sources or more, got " + sources);
    }
    int n = examples.size();
    HeadCategory[] heads = HeadCategory.values();
    double[][] logits = new double[n][heads.length];
    for (double[] r : logits) {
      Arrays.fill(r, Double.NEGATIVE_INFINITY);
    }
    List<String> held = new ArrayList<>(sources);
    List<Map<HeadCategory, LogisticRegression.Model>> folds = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<Map<HeadCategory, LogisticRegression.Model>>> futures = new ArrayList<>();
      for (String h : held) {
        List<Example> train = examples.stream().filter(e -> !e.source().equals(h)).toList();
        futures.add(pool.submit(() -> train.stream().anyMatch(e -> e.label() == 1)
            && train.stream().anyMatch(e -> e.label() == 0) ? fit(train) : Map.of()));
      }
      for (var f : futures) {
        folds.add(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fitting folds", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
    for (int f = 0; f < held.size(); f++) {
      String h = held.get(f);
      Map<HeadCategory, LogisticRegression.Model> models = folds.get(f);
      for (int i = 0; i < n; i++) {
        Example e = examples.get(i);
        if (!e.source().equals(h)) {
          continue;
        }
        for (var m : models.entrySet()) {
          logits[i][m.getKey().ordinal()] = worst(m.getValue(), e);
        }
      }
    }
    Map<HeadCategory, Double> thresholds = calibrate(examples, logits, fpr);
    double[] margins = new double[n];
    for (int i = 0; i < n; i++) {
      margins[i] = Double.NEGATIVE_INFINITY;
      for (var t : thresholds.entrySet()) {
        margins[i] = Math.max(margins[i], logits[i][t.getKey().ordinal()] - t.getValue());
      }
    }
    return summarize(examples, logits, thresholds, margins);
  }

  /** A head's score of a text: its highest log-odds over the text's windows. */
  public static double worst(LogisticRegression.Model m, Example e) {
    double best = Double.NEGATIVE_INFINITY;
    for (float[] w : e.windows()) {
      best = Math.max(best, m.logit(w));
    }
    return best;
  }

  private static Map<HeadCategory, Double> calibrate(List<Example> examples, double[][] logits, double fpr) {
    List<Integer> benign = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      if (examples.get(i).label() == 0) {
        benign.add(i);
      }
    }
    Map<HeadCategory, double[]> sorted = new EnumMap<>(HeadCategory.class);
    for (HeadCategory c : HeadCategory.values()) {
      if (examples.stream().anyMatch(e -> e.category() == c)) {
        double[] s = benign.stream().mapToDouble(i -> logits[i][c.ordinal()]).toArray();
        Arrays.sort(s);
        sorted.put(c, s);
      }
    }
    int allowed = (int) Math.floor(fpr * benign.size());
    Map<HeadCategory, Double> best = null;
    for (int k = 0; k <= allowed; k++) {
      Map<HeadCategory, Double> t = new EnumMap<>(HeadCategory.class);
      for (var e : sorted.entrySet()) {
        double[] s = e.getValue();
        t.put(e.getKey(), k < s.length ? s[s.length - 1 - k] : Double.NEGATIVE_INFINITY);
      }
      int over = 0;
      for (int i : benign) {
        boolean any = false;
        for (var e : t.entrySet()) {
          any |= logits[i][e.getKey().ordinal()] > e.getValue();
        }
        over += any ? 1 : 0;
      }
      if (over > allowed) {
        break;
      }
      best = t;
    }
    // Out-of-fold scores may be -infinity (a head absent in every fold of a benign source); a
    // threshold must be a number that a head file can hold.
    Map<HeadCategory, Double> out = new EnumMap<>(HeadCategory.class);
    best.forEach((c, v) -> out.put(c, Double.isFinite(v) ? v : -50.0));
    return out;
  }

  private static CrossValidation summarize(List<Example> examples, double[][] logits,
      Map<HeadCategory, Double> thresholds, double[] margins) {
    int n = examples.size();
    double[] benignMargins = java.util.stream.IntStream.range(0, n).filter(i -> examples.get(i).label() == 0)
        .mapToDouble(i -> margins[i]).toArray();
    double[] attackMargins = java.util.stream.IntStream.range(0, n).filter(i -> examples.get(i).label() == 1)
        .mapToDouble(i -> margins[i]).toArray();
    Map<String, List<Integer>> bySource = new LinkedHashMap<>();
    new TreeSet<>(examples.stream().map(Example::source).toList()).forEach(s -> bySource.put(s, new ArrayList<>()));
    for (int i = 0; i < n; i++) {
      bySource.get(examples.get(i).source()).add(i);
    }
    List<SourceResult> results = new ArrayList<>();
    for (var e : bySource.entrySet()) {
      List<Integer> idx = e.getValue();
      int label = examples.get(idx.getFirst()).label();
      double[] m = idx.stream().mapToDouble(i -> margins[i]).toArray();
      results.add(new SourceResult(e.getKey(), label, idx.size(), ScoreMetrics.above(m, 0),
          label == 1 ? ScoreMetrics.rocAuc(m, benignMargins) : Double.NaN));
    }
    Map<HeadCategory, Double> headAuc = new EnumMap<>(HeadCategory.class);
    for (HeadCategory c : thresholds.keySet()) {
      double[] pos = java.util.stream.IntStream.range(0, n).filter(i -> examples.get(i).category() == c)
          .mapToDouble(i -> logits[i][c.ordinal()]).toArray();
      double[] neg = java.util.stream.IntStream.range(0, n).filter(i -> examples.get(i).label() == 0)
          .mapToDouble(i -> logits[i][c.ordinal()]).toArray();
      // A head whose only attack source is held out has no out-of-fold score for its attacks.
      boolean scored = java.util.Arrays.stream(pos).anyMatch(Double::isFinite);
      headAuc.put(c, scored ? ScoreMetrics.rocAuc(pos, neg) : Double.NaN);
    }
    return new CrossValidation(thresholds, margins, results,
        (double) ScoreMetrics.above(attackMargins, 0) / attackMargins.length,
        (double) ScoreMetrics.above(benignMargins, 0) / benignMargins.length,
        ScoreMetrics.rocAuc(attackMargins, benignMargins), headAuc);
  }

  private LogisticRegression.Model fitHead(List<Example> examples, HeadCategory c) {
    Map<String, Integer> perSource = new LinkedHashMap<>();
    for (Example e : examples) {
      if (e.label() == 0 || e.category() == c) {
        perSource.merge(e.source(), 1, Integer::sum);
      }
    }
    List<float[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    List<Example> positives = new ArrayList<>();
    double posTotal = 0;
    double negTotal = 0;
    for (Example e : examples) {
      if (e.label() == 1 && e.category() != c) {
        continue;
      }
      double w = 1 / Math.sqrt(perSource.get(e.source()));
      if (e.label() == 1) {
        positives.add(e);
        posTotal += w;
      } else {
        negTotal += w * e.windows().size();
      }
    }
    // Class balance: attacks and benign windows carry equal total weight.
    double posScale = 0.5 / posTotal;
    double negScale = 0.5 / negTotal;
    boolean multiWindow = false;
    for (Example e : examples) {
      if (e.label() == 1 && e.category() != c) {
        continue;
      }
      double w = 1 / Math.sqrt(perSource.get(e.source()));
      int nw = e.windows().size();
      multiWindow |= e.label() == 1 && nw > 1;
      for (float[] r : e.windows()) {
        rows.add(r);
        labels.add(e.label());
        weights.add(e.label() == 1 ? w * posScale / nw : w * negScale);
      }
    }
    float[][] x = rows.toArray(float[][]::new);
    int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
    double[] wt = weights.stream().mapToDouble(Double::doubleValue).toArray();
    LogisticRegression.Model first = LogisticRegression.fit(x, y, wt, options, null);
    if (!multiWindow) {
      return first;
    }
    // Second fit: each attack by the window the first fit finds most attack-like.
    int r = 0;
    for (Example e : examples) {
      if (e.label() == 1 && e.category() != c) {
        continue;
      }
      int nw = e.windows().size();
      if (e.label() == 1 && nw > 1) {
        int best = 0;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < nw; k++) {
          double z = first.logit(e.windows().get(k));
          if (z > bestLogit) {
            bestLogit = z;
            best = k;
          }
        }
        for (int k = 0; k < nw; k++) {
          wt[r + k] = k == best ? wt[r + k] * nw : 0;
        }
      }
      r += nw;
    }
    var second = new LogisticRegression.Options(options.l2(), Math.max(1, options.iterations() / 3),
        options.learningRate(), options.seed());
    return LogisticRegression.fit(x, y, wt, second, first);
  }
}
