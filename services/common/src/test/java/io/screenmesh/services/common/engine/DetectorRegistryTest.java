package io.screenmesh.services.common.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Deadline;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.DetectorOutcome;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class DetectorRegistryTest {

  private static final DetectorRegistry.Settings ON = DetectorRegistry.Settings.enabled(Duration.ofSeconds(5));

  private static Detector<String> detector(String id, Function<String, Detection> f) {
    return new Detector<>() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public List<Detection> detect(List<String> batch, DetectionContext context) {
        return batch.stream().map(f).toList();
      }
    };
  }

  private static Finding finding(String detector, float score, Severity severity) {
    return Finding.newBuilder().setDetector(detector).setCategory(Category.CATEGORY_PROMPT_INJECTION)
        .setScore(score).setSeverity(severity).build();
  }

  private static DetectorRun runOf(DetectorRegistry.Screened s, String id) {
    return s.runs().stream().filter(r -> r.getDetector().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError(id + " missing from " + s.runs()));
  }

  @Test
  void everyRegisteredDetectorIsListedWithWhatBecameOfIt() {
    Detector<String> finds = detector("t.finds", s -> s.contains("bad")
        ? Detection.of(finding("t.finds", 0.9f, Severity.SEVERITY_HIGH)) : Detection.NOTHING);
    Detector<String> skips = detector("t.skips", s -> Detection.skipped("nothing to read"));
    Detector<String> off = detector("t.off", s -> {
      throw new AssertionError("a disabled detector ran");
    });
    Detector<String> missing = new Detector<>() {
      @Override
      public String id() {
        return "t.missing";
      }

      @Override
      public Availability availability() {
        return Availability.unavailable("model file not found");
      }

      @Override
      public List<Detection> detect(List<String> batch, DetectionContext context) {
        throw new AssertionError("an unavailable detector ran");
      }
    };
    var registry = new DetectorRegistry<>(Modality.MODALITY_TEXT, List.of(finds, skips, off, missing),
        Map.of("t.off", new DetectorRegistry.Settings(false, Duration.ofSeconds(1))), ON);
    assertEquals(List.of("t.finds", "t.missing", "t.off", "t.skips"), registry.ids());
    assertEquals(List.of("t.finds", "t.skips"), registry.activeIds());

    List<DetectorRegistry.Screened> out = registry.run(List.of("fine", "bad"), DetectionContext.NONE);
    assertEquals(2, out.size());
    for (var s : out) {
      assertEquals(4, s.runs().size());
      assertTrue(s.complete());
      assertEquals(DetectorOutcome.DETECTOR_OUTCOME_RAN, runOf(s, "t.finds").getOutcome());
      assertTrue(runOf(s, "t.finds").getRan());
      assertEquals(DetectorOutcome.DETECTOR_OUTCOME_SKIPPED, runOf(s, "t.skips").getOutcome());
      assertEquals("nothing to read", runOf(s, "t.skips").getReason());
      assertEquals("disabled by configuration", runOf(s, "t.off").getReason());
      assertEquals("unavailable: model file not found", runOf(s, "t.missing").getReason());
      assertFalse(runOf(s, "t.missing").getRan());
    }
    assertEquals(0, out.get(0).findings().size());
    assertEquals(1, out.get(1).findings().size());
  }

  @Test
  void aThrowingDetectorIsReportedAndTheInputBlocksWhileTheOthersStillRun() {
    Detector<String> ok = detector("t.ok", s -> Detection.NOTHING);
    Detector<String> broken = detector("t.broken", s -> {
      throw new IllegalStateException("index out of range in a library");
    });
    var registry = new DetectorRegistry<>(Modality.MODALITY_IMAGE, List.of(ok, broken), Map.of(), ON);
    DetectorRegistry.Screened s = registry.run(List.of("clean"), DetectionContext.NONE).getFirst();
    assertFalse(s.complete());
    DetectorRun run = runOf(s, "t.broken");
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_FAILED, run.getOutcome());
    assertFalse(run.getRan());
    assertFalse(run.getReason().contains("index out of range"), "internals stay in the log: " + run.getReason());
    assertTrue(run.getReason().contains("error id"), run.getReason());
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_RAN, runOf(s, "t.ok").getOutcome());
    Finding notice = s.findings().getFirst();
    assertEquals(Category.CATEGORY_SCREENING_UNAVAILABLE, notice.getCategory());
    assertEquals(Modality.MODALITY_IMAGE, notice.getModality());
    assertEquals(Decision.DECISION_BLOCK, ModalityVerdict.DEFAULT.decide(s.findings()).getDecision());
  }

  @Test
  void aDetectorThatRunsOutOfTimeIsInterruptedAndReported() {
    Detector<String> slow = detector("t.slow", s -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
      return Detection.NOTHING;
    });
    var registry = new DetectorRegistry<>(Modality.MODALITY_AUDIO, List.of(slow),
        Map.of("t.slow", DetectorRegistry.Settings.enabled(Duration.ofMillis(100))), ON);
    long t0 = System.nanoTime();
    DetectorRegistry.Screened s = registry.run(List.of("x"), DetectionContext.NONE).getFirst();
    assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 30);
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_TIMED_OUT, runOf(s, "t.slow").getOutcome());
    assertEquals(Decision.DECISION_BLOCK, ModalityVerdict.DEFAULT.decide(s.findings()).getDecision());

    // The batch's deadline bounds a detector whose own timeout is longer.
    var lenient = new DetectorRegistry<>(Modality.MODALITY_AUDIO, List.of(slow), Map.of(), ON);
    var ctx = new DetectionContext(Deadline.after(100, TimeUnit.MILLISECONDS), () -> false);
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_TIMED_OUT,
        runOf(lenient.run(List.of("x"), ctx).getFirst(), "t.slow").getOutcome());
  }

  @Test
  void aDetectorAnsweringForTheWrongNumberOfInputsFails() {
    Detector<String> wrong = new Detector<>() {
      @Override
      public String id() {
        return "t.wrong";
      }

      @Override
      public List<Detection> detect(List<String> batch, DetectionContext context) {
        return List.of(Detection.NOTHING);
      }
    };
    var registry = new DetectorRegistry<>(Modality.MODALITY_TEXT, List.of(wrong), Map.of(), ON);
    List<DetectorRegistry.Screened> out = registry.run(List.of("a", "b", "c"), DetectionContext.NONE);
    for (var s : out) {
      assertEquals(DetectorOutcome.DETECTOR_OUTCOME_FAILED, runOf(s, "t.wrong").getOutcome());
      assertFalse(s.complete());
    }
  }

  @Test
  void twoDetectorsWithOneIdAreRefused() {
    var a = detector("t.same", s -> Detection.NOTHING);
    var b = detector("t.same", s -> Detection.NOTHING);
    assertThrows(IllegalStateException.class,
        () -> new DetectorRegistry<>(Modality.MODALITY_TEXT, List.of(a, b), Map.of(), ON));
  }

  @Test
  void aDetectorFailingOnOneInputFailsThatInputAlone() {
    Detector<String> picky = detector("t.picky", s -> s.equals("refused")
        ? Detection.failed(List.of(finding("t.picky", 0.2f, Severity.SEVERITY_LOW)), "PEER_REFUSED: the peer refused it")
        : Detection.NOTHING);
    var registry = new DetectorRegistry<>(Modality.MODALITY_AUDIO, List.of(picky), Map.of(), ON);
    List<DetectorRegistry.Screened> out = registry.run(List.of("fine", "refused"), DetectionContext.NONE);
    assertTrue(out.get(0).complete());
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_RAN, runOf(out.get(0), "t.picky").getOutcome());
    assertFalse(out.get(1).complete());
    DetectorRun failed = runOf(out.get(1), "t.picky");
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_FAILED, failed.getOutcome());
    assertEquals("PEER_REFUSED: the peer refused it", failed.getReason());
    // What it found before failing is kept, and the input blocks.
    assertEquals(2, out.get(1).findings().size());
    assertTrue(out.get(1).findings().get(1).getMessage().contains("PEER_REFUSED"));
    assertEquals(Decision.DECISION_BLOCK, ModalityVerdict.DEFAULT.decide(out.get(1).findings()).getDecision());
  }

  @Test
  void inlineDetectorsRunOnTheBatchThreadAndOneStartingAfterTheDeadlineDoesNotRun() {
    Thread caller = Thread.currentThread();
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    Detector<String> here = detector("t.here", s -> {
      calls.incrementAndGet();
      if (Thread.currentThread() != caller) {
        throw new AssertionError("ran on " + Thread.currentThread());
      }
      return Detection.NOTHING;
    });
    var registry = new DetectorRegistry<>(Modality.MODALITY_TEXT, List.of(here), Map.of(), ON, true);
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_RAN,
        runOf(registry.run(List.of("a"), DetectionContext.NONE).getFirst(), "t.here").getOutcome());
    assertEquals(1, calls.get());
    var expired = new DetectionContext(Deadline.after(-1, TimeUnit.MILLISECONDS), () -> false);
    DetectorRegistry.Screened late = registry.run(List.of("a"), expired).getFirst();
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_TIMED_OUT, runOf(late, "t.here").getOutcome());
    assertEquals(1, calls.get(), "a detector past the deadline must not run");
    assertFalse(late.complete());
  }
}
