package io.screenmesh.services.common.engine;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.DetectorOutcome;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.StageTiming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The detectors of one modality and the one way they are run: every registered detector,
 * enabled or not, available or not, appears in each input's {@link DetectorRun} list, so no
 * response needs a hand-kept list of what did not run.
 *
 * <p>The enabled, available detectors of a batch run concurrently, each on its own virtual
 * thread, bounded by its own timeout and by the batch's deadline. A detector that throws,
 * returns the wrong number of results or runs out of time is reported as
 * {@code DETECTOR_OUTCOME_FAILED} or {@code DETECTOR_OUTCOME_TIMED_OUT} on every input of the
 * batch, with a {@code CATEGORY_SCREENING_UNAVAILABLE} finding of HIGH severity, so the input
 * counts as not fully screened: {@link ModalityVerdict} blocks it, and the front door applies
 * the modality's fail-closed or fail-open rule. Such a failure never fails the whole call and
 * never passes silently. Thread-safe.
 *
 * @param <I> the prepared input of the modality
 */
public final class DetectorRegistry<I> {

  private static final Logger LOG = Logger.getLogger(DetectorRegistry.class);

  /** Per-detector configuration. */
  public record Settings(boolean enabled, Duration timeout) {
    /** Enabled, with {@code timeout}. */
    public static Settings enabled(Duration timeout) {
      return new Settings(true, timeout);
    }
  }

  /** A detector with its configuration and availability, fixed at start-up. */
  private record Entry<I>(Detector<I> detector, Settings settings, Availability availability) {
    boolean active() {
      return settings.enabled() && availability.available();
    }

    String skipReason() {
      return !settings.enabled() ? "disabled by configuration" : "unavailable: " + availability.reason();
    }
  }

  /**
   * What the detectors made of one input.
   *
   * @param findings every finding, in detector order, including the failure findings
   * @param runs one entry per registered detector
   * @param complete false when a detector failed or timed out on this input
   * @param timings one stage {@code detect.<id>} per detector that ran: its wall time on the
   *     whole batch (detectors run concurrently, so these overlap)
   */
  public record Screened(List<Finding> findings, List<DetectorRun> runs, boolean complete,
      List<StageTiming> timings) {}

  private final Modality modality;
  private final List<Entry<I>> entries;
  private final boolean inline;

  /**
   * Creates a registry.
   *
   * @param modality the modality the failure findings are attributed to
   * @param detectors every detector of the modality (the CDI beans)
   * @param settings per detector id; a detector without an entry gets {@code fallback}
   * @param fallback the settings of detectors not named in {@code settings}
   * @throws IllegalStateException when two detectors share an id
   */
  public DetectorRegistry(Modality modality, Iterable<? extends Detector<I>> detectors,
      Map<String, Settings> settings, Settings fallback) {
    this(modality, detectors, settings, fallback, false);
  }

  /**
   * Creates a registry whose detectors run one after another on the batch's own thread when
   * {@code inline} is true: for detectors that are pure CPU work of microseconds (text rules),
   * where a thread per detector would cost more than it saves. Inline, a detector cannot be
   * stopped mid-way: one that starts after the batch's deadline is reported TIMED_OUT without
   * running, and one that overruns its own timeout is reported TIMED_OUT when it returns.
   */
  public DetectorRegistry(Modality modality, Iterable<? extends Detector<I>> detectors,
      Map<String, Settings> settings, Settings fallback, boolean inline) {
    this.modality = modality;
    this.inline = inline;
    List<Entry<I>> list = new ArrayList<>();
    for (Detector<I> d : detectors) {
      if (list.stream().anyMatch(e -> e.detector().id().equals(d.id()))) {
        throw new IllegalStateException("two detectors have the id " + d.id());
      }
      Settings s = settings.getOrDefault(d.id(), fallback);
      Availability a = s.enabled() ? availabilityOf(d) : Availability.AVAILABLE;
      list.add(new Entry<>(d, s, a));
    }
    list.sort(Comparator.comparing(e -> e.detector().id()));
    this.entries = List.copyOf(list);
    for (Entry<I> e : entries) {
      if (e.active()) {
        LOG.infof("%s detector %s: enabled (timeout %s)", modality, e.detector().id(), e.settings().timeout());
      } else {
        LOG.infof("%s detector %s: skipped, %s", modality, e.detector().id(), e.skipReason());
      }
    }
  }

  private static Availability availabilityOf(Detector<?> d) {
    try {
      Availability a = d.availability();
      return a == null ? Availability.unavailable("the detector did not say") : a;
    } catch (RuntimeException | LinkageError e) {
      return Availability.unavailable(e.toString());
    }
  }

  /** The ids of every registered detector, sorted. */
  public List<String> ids() {
    return entries.stream().map(e -> e.detector().id()).toList();
  }

  /** The ids of the detectors that run. */
  public List<String> activeIds() {
    return entries.stream().filter(Entry::active).map(e -> e.detector().id()).toList();
  }

  /**
   * Runs every active detector over {@code batch}. Blocks until each has answered, failed or run
   * out of time; call it off the event loop.
   *
   * @return one result per input, in the batch's order
   */
  public List<Screened> run(List<I> batch, DetectionContext context) {
    int n = batch.size();
    List<Entry<I>> active = entries.stream().filter(Entry::active).toList();
    List<Running<I>> running = new ArrayList<>(active.size());
    for (Entry<I> e : active) {
      running.add(inline ? Running.inline(e, batch, context) : Running.start(e, batch, context));
    }
    List<List<Finding>> findings = new ArrayList<>(n);
    List<List<DetectorRun>> runs = new ArrayList<>(n);
    boolean[] complete = new boolean[n];
    List<StageTiming> timings = new ArrayList<>(running.size());
    for (int i = 0; i < n; i++) {
      findings.add(new ArrayList<>());
      runs.add(new ArrayList<>(entries.size()));
      complete[i] = true;
    }
    int r = 0;
    for (Entry<I> e : entries) {
      String id = e.detector().id();
      if (!e.active()) {
        DetectorRun skipped = run(e.detector(), DetectorOutcome.DETECTOR_OUTCOME_SKIPPED, e.skipReason());
        for (int i = 0; i < n; i++) {
          runs.get(i).add(skipped);
        }
        continue;
      }
      Running<I> job = running.get(r++);
      Outcome outcome = job.await(context);
      timings.add(StageTiming.newBuilder().setStage("detect." + id).setMicros(job.micros()).build());
      EngineMetrics.current().detectorRun(modality.name(), id, outcome.results() == null
          ? outcome.kind().name() : DetectorOutcome.DETECTOR_OUTCOME_RAN.name(), job.micros());
      if (outcome.results() != null && outcome.results().size() != n) {
        outcome = Outcome.failed(DetectorOutcome.DETECTOR_OUTCOME_FAILED,
            "returned " + outcome.results().size() + " results for " + n + " inputs", null);
      }
      if (outcome.results() == null) {
        String errorId = UUID.randomUUID().toString();
        if (outcome.cause() != null) {
          LOG.errorf(outcome.cause(), "detector %s failed (error id %s)", id, errorId);
        } else {
          LOG.warnf("detector %s: %s (error id %s)", id, outcome.reason(), errorId);
        }
        DetectorRun failed = run(e.detector(), outcome.kind(), outcome.reason() + " (error id " + errorId + ")");
        Finding notice = failureFinding(id, outcome);
        for (int i = 0; i < n; i++) {
          runs.get(i).add(failed);
          findings.get(i).add(notice);
          complete[i] = false;
        }
        continue;
      }
      for (int i = 0; i < n; i++) {
        Detection d = outcome.results().get(i);
        if (d == null) {
          d = Detection.skipped("no result for this input");
        }
        findings.get(i).addAll(d.findings());
        for (Finding f : d.findings()) {
          EngineMetrics.current().finding(modality.name(), id, f.getCategory().name(), f.getScore());
        }
        if (d.failedReason() != null) {
          Outcome failedHere = Outcome.failed(DetectorOutcome.DETECTOR_OUTCOME_FAILED, d.failedReason(), null);
          runs.get(i).add(run(e.detector(), DetectorOutcome.DETECTOR_OUTCOME_FAILED, d.failedReason()));
          findings.get(i).add(failureFinding(id, failedHere));
          complete[i] = false;
          continue;
        }
        runs.get(i).add(d.ran()
            ? run(e.detector(), DetectorOutcome.DETECTOR_OUTCOME_RAN, "")
            : run(e.detector(), DetectorOutcome.DETECTOR_OUTCOME_SKIPPED, d.skippedReason()));
      }
    }
    List<Screened> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Screened(List.copyOf(findings.get(i)), List.copyOf(runs.get(i)), complete[i], List.copyOf(timings)));
    }
    return out;
  }

  private Finding failureFinding(String id, Outcome outcome) {
    boolean timedOut = outcome.kind() == DetectorOutcome.DETECTOR_OUTCOME_TIMED_OUT;
    return Finding.newBuilder()
        .setDetector(id)
        .setCategory(Category.CATEGORY_SCREENING_UNAVAILABLE)
        .setSeverity(Severity.SEVERITY_HIGH)
        .setScore(1f)
        .setModality(modality)
        .setMessage("detector " + id + (timedOut ? " ran out of time" : " failed")
            + (outcome.cause() == null && !outcome.reason().isEmpty() ? " (" + outcome.reason() + ")" : "")
            + ": the input was not fully screened")
        .build();
  }

  private static DetectorRun run(Detector<?> detector, DetectorOutcome outcome, String reason) {
    return DetectorRun.newBuilder()
        .setDetector(detector.id())
        .setVersion(detector.version())
        .setRan(outcome == DetectorOutcome.DETECTOR_OUTCOME_RAN)
        .setOutcome(outcome)
        .setReason(reason == null ? "" : reason)
        .build();
  }

  /** A detector's answer on a batch, or why there is none. */
  private record Outcome(List<Detection> results, DetectorOutcome kind, String reason, Throwable cause) {
    static Outcome failed(DetectorOutcome kind, String reason, Throwable cause) {
      return new Outcome(null, kind, reason, cause);
    }
  }

  /** One detector running on its own virtual thread. */
  private static final class Running<I> {
    private final Entry<I> entry;
    private final Thread thread;
    private volatile List<Detection> results;
    private volatile Throwable failure;
    private final long started = System.nanoTime();
    private volatile long ended;

    private Running(Entry<I> entry, List<I> batch, DetectionContext context, boolean inline) {
      this.entry = entry;
      Runnable work = () -> {
        try {
          results = entry.detector().detect(batch, context);
          if (results == null) {
            failure = new IllegalStateException("returned no results");
          }
        } catch (Throwable t) {
          failure = t;
        } finally {
          ended = System.nanoTime();
        }
      };
      if (inline) {
        this.thread = null;
        if (context.isCancelled()) {
          ended = started;
        } else {
          work.run();
        }
      } else {
        // The detector's thread keeps the batch's trace, so its calls to peers join it.
        this.thread = Thread.ofVirtual().name("detector-" + entry.detector().id())
            .unstarted(io.opentelemetry.context.Context.current().wrap(work));
      }
    }

    static <I> Running<I> inline(Entry<I> e, List<I> batch, DetectionContext context) {
      return new Running<>(e, batch, context, true);
    }

    static <I> Running<I> start(Entry<I> e, List<I> batch, DetectionContext context) {
      Running<I> r = new Running<>(e, batch, context, false);
      r.thread.start();
      return r;
    }

    private Outcome inlineOutcome() {
      if (results == null && failure == null) {
        return Outcome.failed(DetectorOutcome.DETECTOR_OUTCOME_TIMED_OUT, "the batch's deadline passed before it ran", null);
      }
      if (failure == null && ended - started > entry.settings().timeout().toNanos()) {
        return Outcome.failed(DetectorOutcome.DETECTOR_OUTCOME_TIMED_OUT,
            "ran for " + (ended - started) / 1_000_000 + " ms, over its " + entry.settings().timeout().toMillis() + " ms", null);
      }
      return outcomeOf();
    }

    long micros() {
      long e = ended;
      return ((e == 0 ? System.nanoTime() : e) - started) / 1_000;
    }

    Outcome await(DetectionContext context) {
      if (thread == null) {
        return inlineOutcome();
      }
      long budget = entry.settings().timeout().toNanos();
      if (context.deadline() != null) {
        budget = Math.min(budget, context.deadline().timeRemaining(TimeUnit.NANOSECONDS));
      }
      try {
        boolean done = budget > 0 && thread.join(Duration.ofNanos(budget));
        if (!done) {
          // Stop the work: a detector that waits on a peer or checks for interruption ends now.
          thread.interrupt();
          return Outcome.failed(DetectorOutcome.DETECTOR_OUTCOME_TIMED_OUT,
              "ran out of time after " + Duration.ofNanos(Math.max(0, budget)).toMillis() + " ms", null);
        }
      } catch (InterruptedException e) {
        thread.interrupt();
        Thread.currentThread().interrupt();
        return Outcome.failed(DetectorOutcome.DETECTOR_OUTCOME_TIMED_OUT, "interrupted", null);
      }
      return outcomeOf();
    }

    private Outcome outcomeOf() {
      if (failure instanceof io.screenmesh.services.common.ScreeningException se) {
        // Our own, expected failures (a peer down, a limit) say what happened; no stack trace.
        DetectorOutcome kind = se.code() == io.grpc.Status.Code.DEADLINE_EXCEEDED
            ? DetectorOutcome.DETECTOR_OUTCOME_TIMED_OUT : DetectorOutcome.DETECTOR_OUTCOME_FAILED;
        return Outcome.failed(kind, se.reason() + ": " + se.getMessage(), null);
      }
      if (failure != null) {
        return Outcome.failed(DetectorOutcome.DETECTOR_OUTCOME_FAILED, "failed", failure);
      }
      return new Outcome(results, DetectorOutcome.DETECTOR_OUTCOME_RAN, "", null);
    }
  }
}
