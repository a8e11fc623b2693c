package io.screenmesh.fusion.extraction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Synthetic streams in a 384-dimensional embedding space: ordinary use (queries about many
 * topics, each a topic direction plus its own wording) against an extraction sweep (a few seed
 * queries, each followed by many small systematic perturbations).
 */
class ExtractionMonitorTest {

  private static final int DIM = 384;

  private static float[] normalize(double[] v) {
    double n = 0;
    for (double x : v) {
      n += x * x;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(n));
    }
    return out;
  }

  private static double[] gaussian(SplittableRandom r, double sigma) {
    double[] v = new double[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = sigma * r.nextGaussian();
    }
    return v;
  }

  /** A query about one of {@code topics}: the topic's direction plus the query's own wording. */
  private static float[] ordinary(SplittableRandom r, double[][] topics) {
    double[] t = topics[r.nextInt(topics.length)];
    double[] noise = gaussian(r, 1.0 / Math.sqrt(DIM));
    double[] v = new double[DIM];
    double mix = 0.3 + 0.5 * r.nextDouble();
    for (int i = 0; i < DIM; i++) {
      v[i] = mix * t[i] + noise[i];
    }
    return normalize(v);
  }

  private static double[][] topics(SplittableRandom r, int n) {
    double[][] t = new double[n][];
    for (int i = 0; i < n; i++) {
      float[] f = normalize(gaussian(r, 1));
      t[i] = new double[DIM];
      for (int k = 0; k < DIM; k++) {
        t[i][k] = f[k];
      }
    }
    return t;
  }

  @Test
  void anExtractionSweepIsFlaggedWithinItsFirst200Queries() {
    SplittableRandom r = new SplittableRandom(11);
    ExtractionMonitor m = new ExtractionMonitor(ExtractionMonitor.Settings.DEFAULT);
    int flaggedAt = -1;
    double[] seed = null;
    for (int q = 0; q < 400 && flaggedAt < 0; q++) {
      if (q % 25 == 0) {
        seed = gaussian(r, 1);
      }
      // Each step changes one "word": a small move along one coordinate of the seed.
      double[] v = seed.clone();
      v[q % DIM] += 0.15;
      seed = v;
      if (m.observe("sweeper", normalize(v)).flagged()) {
        flaggedAt = q + 1;
      }
    }
    assertTrue(flaggedAt > 0 && flaggedAt <= 200, "flagged at query " + flaggedAt);
  }

  @ParameterizedTest(name = "{0} topics")
  @ValueSource(ints = {30, 300, 5000})
  void ordinaryUseIsNotFlaggedOver10000Queries(int topicCount) {
    SplittableRandom r = new SplittableRandom(5);
    double[][] topics = topics(r, topicCount);
    ExtractionMonitor m = new ExtractionMonitor(ExtractionMonitor.Settings.DEFAULT);
    int flags = 0;
    double minW = 1;
    for (int q = 0; q < 10_000; q++) {
      ExtractionMonitor.Observation o = m.observe("user-" + (q % 20), ordinary(r, topics));
      if (o.flagged()) {
        flags++;
      }
      if (!Double.isNaN(o.w())) {
        minW = Math.min(minW, o.w());
      }
    }
    assertEquals(0, flags, "lowest W " + minW);
  }

  @Test
  void principalsAreBoundedAndDimensionsChecked() {
    ExtractionMonitor m = new ExtractionMonitor(new ExtractionMonitor.Settings(3, 8, 50, 20, 0.9));
    for (int p = 0; p < 10; p++) {
      m.observe("p" + p, normalize(gaussian(new SplittableRandom(p), 1)));
    }
    assertEquals(3, m.principals());
    m.observe("x", new float[4]);
    assertThrows(IllegalArgumentException.class, () -> m.observe("x", new float[5]));
    assertFalse(m.observe("y", new float[4]).flagged(), "a first query cannot be judged");
    assertThrows(IllegalArgumentException.class, () -> new ExtractionMonitor.Settings(1, 1, 10, 20, 0.9));
  }
}
