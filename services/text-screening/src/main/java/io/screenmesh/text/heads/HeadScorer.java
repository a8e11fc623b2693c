package io.screenmesh.text.heads;

import io.screenmesh.common.v1.Severity;
import io.screenmesh.text.embed.TextEmbedding;
import io.screenmesh.text.screen.Hit;
import io.screenmesh.text.screen.TextAnalyzer;
import io.screenmesh.text.unicode.UnicodeResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scores a text with every head: each window's features, each head's worst window; a head whose
 * worst window is above its threshold is a hit on that window's span. Plain Java, thread-safe.
 *
 * <p>The hit's score maps the margin over the threshold onto the shared verdict scale: at the
 * threshold it is {@link #AT_THRESHOLD} (a FLAG under the default verdict rule), and it reaches the
 * default BLOCK score of 0.85 about 1.3 log-odds above it.
 */
public final class HeadScorer {

  /** The finding score of a window exactly at a head's threshold. */
  public static final double AT_THRESHOLD = 0.6;

  private static final double BASE = Math.log(AT_THRESHOLD / (1 - AT_THRESHOLD));

  private final HeadSet heads;
  private final TextAnalyzer analyzer;

  /** A scorer of {@code heads}, reading rule features from {@code analyzer}. */
  public HeadScorer(HeadSet heads, TextAnalyzer analyzer) {
    this.heads = heads;
    this.analyzer = analyzer;
  }

  /** The heads. */
  public HeadSet heads() {
    return heads;
  }

  /**
   * The hits of one text.
   *
   * @param text the caller's text, whose UTF-16 offsets the embedding's windows use
   * @param u its unicode stage
   * @param embedding its windows
   */
  public List<Hit> hits(String text, UnicodeResult u, TextEmbedding embedding) {
    List<float[]> rows = HeadFeatures.rows(heads.spec(), embedding, HeadFeatures.hits(analyzer, u), text.length());
    List<Hit> out = new ArrayList<>();
    for (Head h : heads.heads()) {
      int worst = 0;
      double margin = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < rows.size(); k++) {
        double m = h.margin(rows.get(k));
        if (m > margin) {
          margin = m;
          worst = k;
        }
      }
      if (margin > 0) {
        TextEmbedding.Window w = embedding.windows().get(worst);
        float score = (float) LogisticRegression.sigmoid(BASE + margin);
        out.add(new Hit(h.category().findingId(), h.category().category(),
            score >= 0.85f ? Severity.SEVERITY_HIGH : Severity.SEVERITY_MEDIUM, score, w.start(), w.end(), "",
            Hit.excerptOf(text.substring(w.start(), w.end())),
            String.format(Locale.ROOT, "learned %s head: probability %.3f over its threshold %.3f in this window",
                h.category().label(), LogisticRegression.sigmoid(h.model().logit(rows.get(worst))),
                LogisticRegression.sigmoid(h.thresholdLogit()))));
      }
    }
    return out;
  }
}
