package io.screenmesh.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.stub.StreamObserver;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a labeled JSONL file ({@code text}, {@code label} 1 attack / 0 benign, optional
 * {@code source} or {@code category}) through the front door's batch stream and prints the
 * true- and false-positive rates per source and overall. A FLAG or BLOCK counts as a
 * positive; an item answered with an error is counted apart, never as a pass.
 *
 * <p>Beside the verdicts it judges the fused scores: ROC AUC per source (an attack source's
 * scores against every benign score) and the share of each source above the score threshold
 * that holds the overall benign false-positive rate at {@code fpr}; {@code scoresFile}, when
 * given, receives one line per item with its score.
 */
final class Eval {

  private Eval() {}

  /** Counts for one source. */
  static final class Counts {
    long positives;
    long negatives;
    long truePositives;
    long falsePositives;
    long blocked;
    long errors;
    final List<Double> attackScores = new ArrayList<>();
    final List<Double> benignScores = new ArrayList<>();
    double auc = Double.NaN;
    long aboveThreshold;

    /** The scores the source is judged on: its attacks', or its benign items' when it has no attacks. */
    List<Double> judged() {
      return attackScores.isEmpty() ? benignScores : attackScores;
    }

    void add(int label, Decision d) {
      boolean flagged = d == Decision.DECISION_FLAG || d == Decision.DECISION_BLOCK;
      if (label == 1) {
        positives++;
        if (flagged) {
          truePositives++;
        }
      } else {
        negatives++;
        if (flagged) {
          falsePositives++;
        }
      }
      if (d == Decision.DECISION_BLOCK) {
        blocked++;
      }
    }

    double tpr() {
      return positives == 0 ? Double.NaN : (double) truePositives / positives;
    }

    double fpr() {
      return negatives == 0 ? Double.NaN : (double) falsePositives / negatives;
    }
  }

  record Labeled(int line, int label, String source) {}

  /** One answered item, for the scores file. */
  record Scored(int line, String source, int label, float score, Decision decision) {}

  static int run(FusionCheckerServiceGrpc.FusionCheckerServiceStub stub, Path file, boolean json, int concurrency,
      String policy, double fpr, Path scoresFile, PrintStream out) throws IOException {
    if (!(fpr > 0 && fpr < 1)) {
      throw new IllegalArgumentException("--fpr must be in (0, 1), got " + fpr);
    }
    List<Scored> scored = new ArrayList<>();
    Map<String, Labeled> labels = new HashMap<>();
    Map<String, Counts> bySource = new TreeMap<>();
    Counts overall = new Counts();
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Semaphore window = new Semaphore(Math.max(1, concurrency) * 2);
    Object lock = new Object();
    StreamObserver<ScreenItemStreamRequest> requests = stub.screenItemStream(new StreamObserver<>() {
      @Override
      public void onNext(ScreenItemStreamResponse r) {
        window.release();
        synchronized (lock) {
          Labeled l = labels.remove(r.getId());
          if (l == null) {
            return;
          }
          Counts c = bySource.computeIfAbsent(l.source(), k -> new Counts());
          if (r.hasError()) {
            c.errors++;
            overall.errors++;
          } else {
            Decision d = r.getResponse().getVerdict().getDecision();
            float score = r.getResponse().getVerdict().getScore();
            c.add(l.label(), d);
            overall.add(l.label(), d);
            (l.label() == 1 ? c.attackScores : c.benignScores).add((double) score);
            (l.label() == 1 ? overall.attackScores : overall.benignScores).add((double) score);
            scored.add(new Scored(l.line(), l.source(), l.label(), score, d));
          }
        }
      }

      @Override
      public void onError(Throwable t) {
        failure.set(t);
        window.release(Integer.MAX_VALUE / 2);
        done.countDown();
      }

      @Override
      public void onCompleted() {
        done.countDown();
      }
    });
    long sent = 0;
    long t0 = System.nanoTime();
    try (BufferedReader in = Files.newBufferedReader(file)) {
      String line;
      int lineNo = 0;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        if (!o.has("text") || !o.has("label")) {
          throw new IllegalArgumentException(file + ":" + lineNo + ": needs fields text and label");
        }
        String source = o.has("source") ? o.get("source").getAsString()
            : o.has("category") ? o.get("category").getAsString() : "all";
        String id = "line-" + lineNo;
        synchronized (lock) {
          labels.put(id, new Labeled(lineNo, o.get("label").getAsInt(), source));
        }
        try {
          window.acquire();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          requests.onError(e);
          return 1;
        }
        if (failure.get() != null) {
          break;
        }
        requests.onNext(ScreenItemStreamRequest.newBuilder().setRequest(ScreenItemRequest.newBuilder()
            .setId(id).setPolicy(policy).addParts(Part.newBuilder().setId("text").setText(o.get("text").getAsString())))
            .build());
        sent++;
      }
    }
    requests.onCompleted();
    try {
      if (!done.await(Math.max(60, sent), TimeUnit.SECONDS)) {
        throw new IOException("the front door did not answer every item in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    if (failure.get() != null) {
      throw new IOException("stream failed: " + failure.get().getMessage());
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long unanswered;
    synchronized (lock) {
      unanswered = labels.size();
    }
    double threshold = judgeScores(bySource, fpr, overall);
    if (scoresFile != null) {
      writeScores(scoresFile, scored);
    }
    print(bySource, overall, sent, unanswered, seconds, json, fpr, threshold, out);
    return unanswered == 0 ? 0 : 1;
  }

  /**
   * Sets each source's AUC (its attacks against every benign item) and its count above the score
   * threshold that holds the benign rate at {@code fpr} over every benign item, and returns that
   * threshold.
   */
  static double judgeScores(Map<String, Counts> bySource, double fpr, Counts overall) {
    double threshold = Scores.thresholdAt(overall.benignScores, fpr);
    for (Counts c : bySource.values()) {
      judge(c, threshold, overall.benignScores);
    }
    judge(overall, threshold, overall.benignScores);
    return threshold;
  }

  private static void judge(Counts c, double threshold, List<Double> benign) {
    c.aboveThreshold = c.judged().stream().filter(v -> v > threshold).count();
    c.auc = c.attackScores.isEmpty() ? Double.NaN : Scores.rocAuc(c.attackScores, benign);
  }

  private static void writeScores(Path file, List<Scored> scored) throws IOException {
    List<Scored> sorted = new ArrayList<>(scored);
    sorted.sort(java.util.Comparator.comparingInt(Scored::line));
    StringBuilder sb = new StringBuilder();
    for (Scored s : sorted) {
      sb.append(String.format(Locale.ROOT, "{\"line\":%d,\"source\":\"%s\",\"label\":%d,\"score\":%.6f,\"decision\":\"%s\",\"pred\":%d}%n",
          s.line(), s.source().replace("\\", "\\\\").replace("\"", "\\\""), s.label(), s.score(),
          s.decision().name().substring("DECISION_".length()),
          s.decision() == Decision.DECISION_FLAG || s.decision() == Decision.DECISION_BLOCK ? 1 : 0));
    }
    Files.writeString(file, sb);
  }

  private static void print(Map<String, Counts> bySource, Counts overall, long sent, long unanswered, double seconds,
      boolean json, double fpr, double threshold, PrintStream out) {
    if (json) {
      StringBuilder sb = new StringBuilder("{\"items\":").append(sent).append(",\"unanswered\":").append(unanswered)
          .append(",\"seconds\":").append(String.format(Locale.ROOT, "%.3f", seconds))
          .append(",\"fpr\":").append(fpr).append(",\"score_threshold\":").append(num(threshold))
          .append(",\"sources\":{");
      boolean first = true;
      for (var e : bySource.entrySet()) {
        sb.append(first ? "" : ",").append('"').append(e.getKey().replace("\"", "\\\"")).append("\":").append(json(e.getValue()));
        first = false;
      }
      sb.append("},\"overall\":").append(json(overall)).append('}');
      out.println(sb);
      return;
    }
    String fmt = "%-28s %7s %7s %7s %7s %7s %7s %7s %7s %9s%n";
    out.printf(fmt, "SOURCE", "ATTACKS", "BENIGN", "TP", "FP", "TPR", "FPR", "ERRORS", "AUC",
        "@" + trim(100 * fpr) + "%FPR");
    for (var e : bySource.entrySet()) {
      row(fmt, e.getKey(), e.getValue(), out);
    }
    row(fmt, "overall", overall, out);
    out.printf(Locale.ROOT, "scores: AUC per attack source against every benign item; @%s%%FPR is the share above "
        + "the score threshold %s that holds benign items at %s%% (TPR of attack sources, FPR of benign ones)%n",
        trim(100 * fpr), num(threshold), trim(100 * fpr));
    out.printf(Locale.ROOT, "%d items in %.1f s (%.1f items/s)%s%n", sent, seconds, sent / seconds,
        unanswered == 0 ? "" : ", " + unanswered + " UNANSWERED");
  }

  private static void row(String fmt, String name, Counts c, PrintStream out) {
    out.printf(fmt, name, c.positives, c.negatives, c.truePositives, c.falsePositives, pct(c.tpr()), pct(c.fpr()), c.errors,
        Double.isNaN(c.auc) ? "-" : String.format(Locale.ROOT, "%.4f", c.auc),
        c.judged().isEmpty() ? "-" : pct((double) c.aboveThreshold / c.judged().size()));
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  private static String json(Counts c) {
    return String.format(Locale.ROOT,
        "{\"attacks\":%d,\"benign\":%d,\"true_positives\":%d,\"false_positives\":%d,\"blocked\":%d,\"errors\":%d,\"tpr\":%s,\"fpr\":%s,"
            + "\"auc\":%s,\"rate_at_fpr\":%s}",
        c.positives, c.negatives, c.truePositives, c.falsePositives, c.blocked, c.errors, num(c.tpr()), num(c.fpr()),
        num(c.auc), c.judged().isEmpty() ? "null" : num((double) c.aboveThreshold / c.judged().size()));
  }

  private static String num(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
  }
}
