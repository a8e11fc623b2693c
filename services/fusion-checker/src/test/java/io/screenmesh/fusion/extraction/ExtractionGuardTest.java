package io.screenmesh.fusion.extraction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Verdict;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExtractionGuardTest {

  private static final ExtractionMonitor.Settings SMALL = new ExtractionMonitor.Settings(10, 64, 200, 40, 0.5);

  private static ScreenItemResponse allowed() {
    return ScreenItemResponse.newBuilder().setId("i")
        .setVerdict(Verdict.newBuilder().setDecision(Decision.DECISION_ALLOW))
        .addParts(PartResult.newBuilder().setPartId("q").setModality(Modality.MODALITY_TEXT))
        .build();
  }

  private static float[] unit(double[] v) {
    double n = 0;
    for (double x : v) {
      n += x * x;
    }
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) (v[i] / Math.sqrt(n));
    }
    return f;
  }

  /** Feeds a sweep (small steps around a few seeds) and returns the first item it changed. */
  private static ScreenItemResponse sweep(ExtractionGuard guard, String principal) {
    SplittableRandom r = new SplittableRandom(3);
    double[] seed = new double[64];
    for (int q = 0; q < 200; q++) {
      if (q % 20 == 0) {
        for (int i = 0; i < seed.length; i++) {
          seed[i] = r.nextGaussian();
        }
      }
      seed[q % seed.length] += 0.2;
      ScreenItemResponse in = allowed();
      ScreenItemResponse out = guard.judge(principal, List.of(new ExtractionGuard.PartEmbedding("q", unit(seed))), in);
      if (out != in) {
        return out;
      }
    }
    return null;
  }

  @Test
  void aSweepGetsAFlaggedVerdictWithTheFindingOnItsTextPart() {
    ScreenItemResponse flagged = sweep(new ExtractionGuard(new ExtractionMonitor(SMALL), Decision.DECISION_FLAG), "p");
    assertTrue(flagged != null, "the sweep was never flagged");
    assertEquals(Decision.DECISION_FLAG, flagged.getVerdict().getDecision());
    assertEquals(Category.CATEGORY_MODEL_EXTRACTION, flagged.getVerdict().getReasons(0).getCategory());
    assertEquals(ExtractionGuard.DETECTOR, flagged.getParts(0).getFindings(0).getDetector());
    assertTrue(flagged.getVerdict().getReasons(0).getMessage().contains("Shapiro-Wilk W"));
  }

  @Test
  void blockIsAnOptionAndAStrongerVerdictIsKept() {
    ScreenItemResponse blocked = sweep(new ExtractionGuard(new ExtractionMonitor(SMALL), Decision.DECISION_BLOCK), "p");
    assertEquals(Decision.DECISION_BLOCK, blocked.getVerdict().getDecision());
  }

  @Test
  void repeatingOneQueryIsNotASweep() {
    ExtractionGuard guard = new ExtractionGuard(new ExtractionMonitor(SMALL), Decision.DECISION_FLAG);
    float[] same = unit(new double[] {1, 2, 3, 4});
    float[] other = unit(new double[] {4, 3, 2, 1});
    for (int q = 0; q < 300; q++) {
      ScreenItemResponse in = allowed();
      assertSame(in, guard.judge("p", List.of(new ExtractionGuard.PartEmbedding("q", q % 2 == 0 ? same : other)), in));
    }
  }

  @Test
  void offDoesNothingAndTheActionIsChecked() {
    assertFalse(ExtractionGuard.OFF.enabled());
    ScreenItemResponse in = allowed();
    assertSame(in, ExtractionGuard.OFF.judge("p", List.of(new ExtractionGuard.PartEmbedding("q", new float[] {1})), in));
    assertThrows(IllegalArgumentException.class,
        () -> new ExtractionGuard(new ExtractionMonitor(SMALL), Decision.DECISION_ALLOW));
  }
}
