package io.screenmesh.text.heads;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.text.embed.Embedder;
import io.screenmesh.text.screen.ScreeningSettings;
import io.screenmesh.text.screen.TextAnalyzer;
import io.screenmesh.text.screen.TextScreener;
import io.screenmesh.text.unicode.Confusables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadDetectorTest {

  static final TextAnalyzer ANALYZER = TextScreener.analyzer(ScreeningSettings.defaults(), new Confusables());

  @TempDir
  Path dir;

  @Test
  void headsOfAnotherEmbeddingModelAreRefusedAtStartUp() throws IOException {
    FeatureSpec spec = new FeatureSpec(FeatureSpec.VERSION, 384, FeatureSpec.LengthMode.CAPPED);
    HeadSet other = new HeadSet(spec, "0".repeat(64), 0.01, 1, java.util.List.of(new Head(HeadCategory.INJECTION,
        new LogisticRegression.Model(new float[spec.size()], 0f), 0)));
    other.write(dir);
    var e = assertThrows(IllegalStateException.class,
        () -> new HeadDetector(Optional.of(dir), ANALYZER, () -> Embedder.bundled(1)));
    assertTrue(e.getMessage().contains("fitted on embedding model sha256 " + "0".repeat(64))
        && e.getMessage().contains("but the running model is") && e.getMessage().contains(dir.toString()),
        e.getMessage());
  }

  @Test
  void aHeadsFolderWithoutAHeadFileFailsStartUpNamingIt() {
    var e = assertThrows(RuntimeException.class,
        () -> new HeadDetector(Optional.of(dir.resolve("missing")), ANALYZER, () -> Embedder.bundled(1)));
    assertTrue(e.getMessage().contains("screenmesh.text.heads.dir=" + dir.resolve("missing")), e.getMessage());
  }

  @Test
  void withoutTheEmbeddingModelTheDetectorIsUnavailableWithTheReason() throws IOException {
    HeadSetTest.small("ab12").write(dir);
    HeadDetector d = new HeadDetector(Optional.of(dir), ANALYZER, () -> {
      throw new IllegalStateException("/all-minilm-l6-v2-q.onnx is not on the class path");
    });
    assertTrue(!d.availability().available() && d.availability().reason().contains("not on the class path"),
        d.availability().reason());
  }
}
