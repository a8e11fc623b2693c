package io.screenmesh.fusion;

import io.screenmesh.common.v1.Modality;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.services.common.engine.EngineMetrics;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * How many parts of batch-stream items the front door has at one modality service at once: an
 * adaptive limit per modality (additive increase, multiplicative decrease, as TCP's congestion
 * window), shared by every stream of this replica. A part waits here, before its deadline
 * starts, until the limit lets it go; a stream whose items wait stops being read, so HTTP/2 flow
 * control slows its caller down. Without it a bulk caller's 32 items in flight queued at a
 * service that was still warming up, or simply slower than that, until their budget ran out,
 * and were blocked as not screened (59 of 301 images right after start-up).
 *
 * <p>The signal is each part's time at the service: an answer within half its budget grows the
 * limit (by one per answer until the first sign of congestion, then by one per limit's worth of
 * answers); a slower answer, or an UNAVAILABLE one (out of time, a full queue, an outage),
 * shrinks it to 0.7 of itself, once per round of parts sent after the previous shrink. A part
 * its caller cancelled says nothing either way. Unary calls are not
 * limited here: an inline caller picks its own concurrency and wants its answer now.
 *
 * <p>Thread-safe.
 */
public final class PartAdmission {

  /** The limit a modality starts from. */
  static final int INITIAL = 4;
  /** The limit never drops below this. */
  static final int MIN = 1;

  private final Map<Modality, Limit> limits = new EnumMap<>(Modality.class);
  private final FusionSettings settings;
  // The metrics hook the limits were reported to (the service installs its own after start-up).
  private volatile EngineMetrics reportedTo;

  /** Limits for every modality, each at most {@code max} parts at once. */
  public PartAdmission(FusionSettings settings, int max) {
    this.settings = settings;
    for (Modality m : List.of(Modality.MODALITY_TEXT, Modality.MODALITY_IMAGE, Modality.MODALITY_AUDIO)) {
      limits.put(m, new Limit(Math.max(MIN, max)));
    }
  }

  /** The current limit of {@code modality}'s parts, for tests and metrics. */
  public double limit(Modality modality) {
    return limits.get(modality).limit();
  }

  /** Parts of {@code modality} at its service now. */
  public int inFlight(Modality modality) {
    return limits.get(modality).inFlight();
  }

  /**
   * Runs {@code part} once the modality's limit lets it go. Cancelling the returned {@code Uni}
   * while it waits takes it out of line; after it went, frees its place.
   */
  public Uni<PartResult> admit(Modality modality, Supplier<Uni<PartResult>> part) {
    Limit limit = limits.get(modality);
    if (limit == null) {
      return part.get();
    }
    EngineMetrics metrics = EngineMetrics.current();
    if (metrics != reportedTo) {
      reportedTo = metrics;
      limits.forEach((m, l) -> metrics.admission(m.name(), l::limit, l::inFlight, l::waiting));
    }
    long budgetNanos = settings.budget(modality).toNanos();
    Waiter w = new Waiter();
    return Uni.createFrom().completionStage(() -> {
          limit.enqueue(w);
          return w.granted;
        })
        .chain(() -> {
          w.sentAt = System.nanoTime();
          return part.get().invoke(r -> w.result = r);
        })
        .onTermination().invoke(() -> limit.finish(w, budgetNanos));
  }

  private static final class Waiter {
    final CompletableFuture<Void> granted = new CompletableFuture<>();
    // Guarded by this waiter: whether it holds a place, gave up waiting, or has finished.
    boolean holds;
    boolean done;
    long round;
    volatile long sentAt;
    volatile PartResult result;
  }

  private static final class Limit {
    private final int max;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private double limit;
    private int inFlight;
    private boolean slowStart = true;
    // A shrink applies to parts sent after the previous one, so one burst of slow answers
    // shrinks the limit once, not once per part.
    private long round;
    private long shrunkAt = -1;

    Limit(int max) {
      this.max = max;
      this.limit = Math.min(INITIAL, max);
    }

    synchronized double limit() {
      return limit;
    }

    synchronized int inFlight() {
      return inFlight;
    }

    synchronized int waiting() {
      return waiting.size();
    }

    void enqueue(Waiter w) {
      List<Waiter> go;
      synchronized (this) {
        waiting.add(w);
        go = grant();
      }
      go.forEach(g -> g.granted.complete(null));
    }

    void finish(Waiter w, long budgetNanos) {
      List<Waiter> go;
      synchronized (this) {
        boolean held;
        synchronized (w) {
          if (w.done) {
            return;
          }
          w.done = true;
          held = w.holds;
        }
        if (!held) {
          waiting.remove(w);
          return;
        }
        inFlight--;
        PartResult r = w.result;
        long took = System.nanoTime() - w.sentAt;
        boolean congested = r != null && (r.getOutcome() == ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE
            || took > budgetNanos / 2);
        if (r == null) {
          // Cancelled by its caller: says nothing about the service.
        } else if (congested) {
          if (w.round > shrunkAt) {
            limit = Math.max(MIN, limit * 0.7);
            slowStart = false;
            shrunkAt = round;
          }
        } else {
          limit = Math.min(max, limit + (slowStart ? 1 : 1 / limit));
        }
        go = grant();
      }
      go.forEach(g -> g.granted.complete(null));
    }

    // Under this lock: the waiters that may go now, in arrival order.
    private List<Waiter> grant() {
      List<Waiter> go = new ArrayList<>();
      while (inFlight < Math.max(MIN, (int) limit) && !waiting.isEmpty()) {
        Waiter w = waiting.poll();
        synchronized (w) {
          if (w.done) {
            continue;
          }
          w.holds = true;
          w.round = ++round;
        }
        inFlight++;
        go.add(w);
      }
      return go;
    }
  }
}
