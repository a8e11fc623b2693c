package io.screenmesh.text.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeadSetTest {

  static HeadSet small(String sha) {
    FeatureSpec spec = new FeatureSpec(FeatureSpec.VERSION, 3, FeatureSpec.LengthMode.CAPPED);
    float[] w = new float[spec.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = 0.1f * i - 0.3f;
    }
    return new HeadSet(spec, sha, 0.01, 7, List.of(new Head(HeadCategory.INJECTION,
        new LogisticRegression.Model(w, -1.25f), 0.4321), new Head(HeadCategory.HARMFUL,
        new LogisticRegression.Model(w.clone(), 2f), -3.5)));
  }

  @Test
  void aHeadFileReadsBackToTheSameBytes() {
    HeadSet a = small("ab12");
    HeadSet b = HeadSet.parse(a.toJson());
    assertEquals(a.toJson(), b.toJson());
    assertEquals(0.4321, b.heads().getFirst().thresholdLogit());
  }

  @Test
  void anotherEmbeddingModelIsRefusedNamingBothHashes() {
    var e = assertThrows(IllegalStateException.class, () -> small("ab12").requireModel("cd34", "dir"));
    assertTrue(e.getMessage().contains("ab12") && e.getMessage().contains("cd34")
        && e.getMessage().contains("./screenmesh train"), e.getMessage());
  }

  @Test
  void anotherFeatureSpecVersionIsRefused() {
    String json = small("ab12").toJson().replace("\"version\": 1", "\"version\": 99");
    var e = assertThrows(IllegalArgumentException.class, () -> HeadSet.parse(json));
    assertTrue(e.getMessage().contains("version 99"), e.getMessage());
  }

  @Test
  void weightsThatDoNotFitTheSpecAreRefused() {
    String json = small("ab12").toJson().replace("\"embeddingDimension\": 3", "\"embeddingDimension\": 4");
    assertThrows(IllegalArgumentException.class, () -> HeadSet.parse(json));
  }
}
