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
import java.util.HashMap;
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

  record Labeled(int label, String source) {}

  static int run(FusionCheckerServiceGrpc.FusionCheckerServiceStub stub, Path file, boolean json, int concurrency,
      String policy, PrintStream out) throws IOException {
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
            c.add(l.label(), d);
            overall.add(l.label(), d);
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
          labels.put(id, new Labeled(o.get("label").getAsInt(), source));
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
    print(bySource, overall, sent, unanswered, seconds, json, out);
    return unanswered == 0 ? 0 : 1;
  }

  private static void print(Map<String, Counts> bySource, Counts overall, long sent, long unanswered, double seconds,
      boolean json, PrintStream out) {
    if (json) {
      StringBuilder sb = new StringBuilder("{\"items\":").append(sent).append(",\"unanswered\":").append(unanswered)
          .append(",\"seconds\":").append(String.format(Locale.ROOT, "%.3f", seconds)).append(",\"sources\":{");
      boolean first = true;
      for (var e : bySource.entrySet()) {
        sb.append(first ? "" : ",").append('"').append(e.getKey().replace("\"", "\\\"")).append("\":").append(json(e.getValue()));
        first = false;
      }
      sb.append("},\"overall\":").append(json(overall)).append('}');
      out.println(sb);
      return;
    }
    String fmt = "%-28s %7s %7s %7s %7s %7s %7s %7s%n";
    out.printf(fmt, "SOURCE", "ATTACKS", "BENIGN", "TP", "FP", "TPR", "FPR", "ERRORS");
    for (var e : bySource.entrySet()) {
      row(fmt, e.getKey(), e.getValue(), out);
    }
    row(fmt, "overall", overall, out);
    out.printf(Locale.ROOT, "%d items in %.1f s (%.1f items/s)%s%n", sent, seconds, sent / seconds,
        unanswered == 0 ? "" : ", " + unanswered + " UNANSWERED");
  }

  private static void row(String fmt, String name, Counts c, PrintStream out) {
    out.printf(fmt, name, c.positives, c.negatives, c.truePositives, c.falsePositives, pct(c.tpr()), pct(c.fpr()), c.errors);
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  private static String json(Counts c) {
    return String.format(Locale.ROOT,
        "{\"attacks\":%d,\"benign\":%d,\"true_positives\":%d,\"false_positives\":%d,\"blocked\":%d,\"errors\":%d,\"tpr\":%s,\"fpr\":%s}",
        c.positives, c.negatives, c.truePositives, c.falsePositives, c.blocked, c.errors, num(c.tpr()), num(c.fpr()));
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
  }
}
