package io.screenmesh.text.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainerTest {

  // Four features: two carry the injection signal, one the harmful signal, one is noise.
  private static List<Trainer.Example> data(long seed) {
    Random r = new Random(seed);
    List<Trainer.Example> out = new ArrayList<>();
    String[] benign = {"chat", "docs", "math"};
    for (String s : benign) {
      for (int i = 0; i < 150; i++) {
        out.add(new Trainer.Example(s, 0, null, List.of(row(r, 0, 0))));
      }
    }
    for (String s : new String[] {"inj-a", "inj-b"}) {
      for (int i = 0; i < 60; i++) {
        // A long attack: its second window holds the attack.
        out.add(new Trainer.Example(s, 1, HeadCategory.INJECTION, List.of(row(r, 0, 0), row(r, 3, 0))));
      }
    }
    for (int i = 0; i < 60; i++) {
      out.add(new Trainer.Example("harm", 1, HeadCategory.HARMFUL, List.of(row(r, 0, 3))));
    }
    return out;
  }

  private static float[] row(Random r, double inj, double harm) {
    return new float[] {(float) (inj + r.nextGaussian() * 0.5), (float) (inj + r.nextGaussian() * 0.5),
        (float) (harm + r.nextGaussian() * 0.5), (float) r.nextGaussian()};
  }

  @Test
  void leaveOneSourceOutHoldsTheTargetRateOnOutOfFoldBenignScores() {
    List<Trainer.Example> data = data(1);
    Trainer.CrossValidation cv = new Trainer(LogisticRegression.Options.defaults(3)).crossValidate(data, 0.01);
    assertTrue(cv.fpr() <= 0.01, "FPR " + cv.fpr());
    // Both injection sources are found by a head fitted on the other one.
    for (String s : List.of("inj-a", "inj-b")) {
      Trainer.SourceResult r = cv.sources().stream().filter(x -> x.source().equals(s)).findFirst().orElseThrow();
      assertTrue(r.rate() > 0.9, s + " " + r.rate());
      assertTrue(r.auc() > 0.98, s + " AUC " + r.auc());
    }
    // The harmful head's only source is held out in its own fold: the injection head alone scores it,
    // and it has no reason to flag it.
    Trainer.SourceResult harm = cv.sources().stream().filter(x -> x.source().equals("harm")).findFirst().orElseThrow();
    assertTrue(harm.rate() < 0.2, "harm " + harm.rate());
    assertEquals(2, cv.thresholds().size());
  }

  @Test
  void theSameSeedFitsTheSameCoefficientsAndAnotherSeedOthers() {
    List<Trainer.Example> data = data(2);
    var a = new Trainer(LogisticRegression.Options.defaults(5)).fit(data);
    var b = new Trainer(LogisticRegression.Options.defaults(5)).fit(data);
    var c = new Trainer(LogisticRegression.Options.defaults(6)).fit(data);
    for (HeadCategory h : a.keySet()) {
      assertArrayEquals(a.get(h).weights(), b.get(h).weights());
      assertEquals(a.get(h).bias(), b.get(h).bias());
      assertFalse(Arrays.equals(a.get(h).weights(), c.get(h).weights()));
    }
  }

  @Test
  void oneClassIsRefused() {
    List<Trainer.Example> attacks = data(3).stream().filter(e -> e.label() == 1).toList();
    var e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(LogisticRegression.Options.defaults(1)).fit(attacks));
    assertTrue(e.getMessage().contains("both classes"), e.getMessage());
  }

  @Test
  void aucAndThresholdFollowTheirDefinitions() {
    assertEquals(0.75, ScoreMetrics.rocAuc(new double[] {0.5}, new double[] {0.5, 0.1}), 1e-12);
    double[] benign = new double[200];
    for (int i = 0; i < 200; i++) {
      benign[i] = i;
    }
    assertEquals(197.0, ScoreMetrics.thresholdAt(benign, 0.01));
    assertEquals(2, ScoreMetrics.above(benign, 197.0));
  }
}
