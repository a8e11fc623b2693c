package io.screenmesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ScoresTest {

  @Test
  void aucCountsTiesHalfAndOrderedPairsWhole() {
    assertEquals(1.0, Scores.rocAuc(List.of(0.9, 0.8), List.of(0.1, 0.2, 0.3)), 1e-12);
    assertEquals(0.0, Scores.rocAuc(List.of(0.1), List.of(0.5, 0.6)), 1e-12);
    // 0.5 vs {0.5, 0.1}: a tie (1/2) and a win (1) over 2 pairs.
    assertEquals(0.75, Scores.rocAuc(List.of(0.5), List.of(0.5, 0.1)), 1e-12);
    assertTrue(Double.isNaN(Scores.rocAuc(List.of(), List.of(0.1))));
  }

  @Test
  void thresholdLetsFloorOfTheRateThrough() {
    // 200 benign scores 0..199: at 1% two may lie above, so the threshold is the third highest.
    List<Double> benign = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      benign.add((double) i);
    }
    assertEquals(197.0, Scores.thresholdAt(benign, 0.01));
    assertEquals(0.3, Scores.thresholdAt(List.of(0.3), 0.99));
    assertEquals(Double.NEGATIVE_INFINITY, Scores.thresholdAt(List.of(), 0.01));
  }

  @Test
  void sourcesAreJudgedAgainstEveryBenignItem() {
    Map<String, Eval.Counts> by = new TreeMap<>();
    Eval.Counts overall = new Eval.Counts();
    Eval.Counts attacks = by.computeIfAbsent("a", k -> new Eval.Counts());
    Eval.Counts benign = by.computeIfAbsent("b", k -> new Eval.Counts());
    for (double v : new double[] {0.9, 0.7, 0.0}) {
      attacks.attackScores.add(v);
      overall.attackScores.add(v);
    }
    for (int i = 0; i < 100; i++) {
      double v = i == 0 ? 0.8 : 0.0;
      benign.benignScores.add(v);
      overall.benignScores.add(v);
    }
    double t = Eval.judgeScores(by, 0.01, overall);
    // One benign item of 100 may lie above: the threshold is the second highest benign score, 0.
    assertEquals(0.0, t);
    assertEquals(2, attacks.aboveThreshold);
    assertEquals(1, benign.aboveThreshold);
    // Attack 0.9 beats all 100, 0.7 beats 99, 0.0 ties 99 and loses 1.
    assertEquals((100 + 99 + 49.5) / 300, attacks.auc, 1e-12);
    assertEquals(attacks.auc, overall.auc, 1e-12);
  }
}
