package io.screenmesh.fusion.extraction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntToDoubleFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Expected values are scipy.stats.shapiro (SciPy 1.10, the same AS R94 algorithm) on the same
 * deterministic samples.
 */
class ShapiroWilkTest {

  private static double[] sample(int n, IntToDoubleFunction f) {
    return IntStream.range(0, n).mapToDouble(f).toArray();
  }

  private static void assertW(double w, double p, double[] x) {
    ShapiroWilk.Result r = ShapiroWilk.test(x);
    assertEquals(w, r.w(), 2e-5, "W");
    assertEquals(p, r.p(), Math.max(1e-4 * p, 1e-12), "p");
  }

  @Test
  void agreesWithTheReferenceImplementation() {
    assertW(0.960375, 0.551377, sample(20, i -> i + 1));
    assertW(0.897410, 0.000105983, sample(60, i -> (i + 1.0) * (i + 1.0)));
    assertW(0.814127, 6.88617e-10, sample(100, i -> Math.exp(i / 25.0)));
    assertW(0.899246, 4.27216e-25, sample(1000, i -> Math.sin(i * 0.37)));
  }

  @Test
  void normalQuantilesAreNormal() {
    double[] q = sample(500, i -> ShapiroWilk.inverseNormal((i + 0.5) / 500));
    ShapiroWilk.Result r = ShapiroWilk.test(q);
    assertEquals(0.999903, r.w(), 2e-5);
    assertTrue(r.p() > 0.99, "p " + r.p());
  }

  @Test
  void refusesWhatTheApproximationDoesNotCover() {
    assertThrows(IllegalArgumentException.class, () -> ShapiroWilk.test(new double[] {1, 2}));
    assertThrows(IllegalArgumentException.class, () -> ShapiroWilk.test(new double[5001]));
    assertThrows(IllegalArgumentException.class, () -> ShapiroWilk.test(new double[] {3, 3, 3, 3}));
  }
}
