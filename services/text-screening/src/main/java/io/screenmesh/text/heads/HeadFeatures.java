package io.screenmesh.text.heads;

import io.screenmesh.text.embed.TextEmbedding;
import io.screenmesh.text.screen.Hit;
import io.screenmesh.text.screen.TextAnalyzer;
import io.screenmesh.text.unicode.UnicodeResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way features are made, at training and at serving time alike, so that a head never
 * reads features made differently from those it was fitted on.
 */
public final class HeadFeatures {

  private HeadFeatures() {}

  /**
   * The rule and unicode hits the features read: the unicode stage's own, the injection rules' and
   * decode-and-rescan's, in original offsets (the same the built-in detectors report).
   */
  public static List<Hit> hits(TextAnalyzer analyzer, UnicodeResult u) {
    List<Hit> hits = new ArrayList<>(u.hits());
    hits.addAll(analyzer.ruleHits(u));
    hits.addAll(analyzer.decodeHits(u, analyzer.newBudget()));
    return hits;
  }

  /** One feature row per window of {@code embedding}. */
  public static List<float[]> rows(FeatureSpec spec, TextEmbedding embedding, List<Hit> hits, int textLength) {
    List<float[]> rows = new ArrayList<>(embedding.windows().size());
    for (TextEmbedding.Window w : embedding.windows()) {
      rows.add(spec.features(w.vector(), w.start(), w.end(), hits, textLength));
    }
    return rows;
  }
}
