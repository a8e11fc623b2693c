package io.screenmesh.text.known;

import io.screenmesh.common.v1.Severity;
import io.screenmesh.services.common.engine.Availability;
import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import io.screenmesh.text.embed.TextEmbedding;
import io.screenmesh.text.screen.Hit;
import io.screenmesh.text.screen.Hits;
import io.screenmesh.text.screen.PreparedText;
import io.screenmesh.text.screen.TextDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code text.known_attack}: each window of a text's embedding is searched for its nearest
 * known-attack exemplars ({@link KnownAttacks}); a text whose nearest window comes within the
 * threshold's cosine similarity of an exemplar is a finding. The window's span is the finding's
 * span, and the message names the nearest exemplars' ids and similarities. The whole batch's
 * windows go to the backend in one top-k call.
 *
 * <p>The score maps the cosine linearly from 0.5 at the threshold to 1 at identity, so a match at
 * the threshold flags under the default verdict rule and a near copy blocks.
 */
public final class KnownAttackDetector implements TextDetector {

  /** The detector id. */
  public static final String ID = "text.known_attack";

  private final KnownAttacks attacks;
  private final double threshold;
  private final int topK;

  /**
   * A detector over {@code attacks}, which must outlive it.
   *
   * @param threshold the cosine similarity from which a window is a finding, in (0, 1)
   * @param topK how many nearest exemplars the evidence names, at least 1
   */
  public KnownAttackDetector(KnownAttacks attacks, double threshold, int topK) {
    if (!(threshold > 0 && threshold < 1)) {
      throw new IllegalArgumentException("screenmesh.text.known-attacks.threshold must be in (0, 1), got " + threshold);
    }
    if (topK < 1) {
      throw new IllegalArgumentException("screenmesh.text.known-attacks.top-k must be positive, got " + topK);
    }
    this.attacks = attacks;
    this.threshold = threshold;
    this.topK = topK;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Availability availability() {
    return attacks.availability();
  }

  @Override
  public List<Detection> detect(List<PreparedText> batch, DetectionContext context) {
    List<float[]> queries = new ArrayList<>();
    for (PreparedText t : batch) {
      if (t.embedding() != null) {
        for (TextEmbedding.Window w : t.embedding().windows()) {
          queries.add(w.vector());
        }
      }
    }
    List<List<KnownAttacks.Match>> nearest = attacks.nearest(queries, topK);
    List<Detection> out = new ArrayList<>(batch.size());
    int q = 0;
    for (PreparedText t : batch) {
      if (t.embedding() == null) {
        // The embedding stage failed on this batch: the text was not searched.
        out.add(Detection.failed(List.of(), "the text has no embedding"));
        continue;
      }
      TextEmbedding.Window worst = null;
      List<KnownAttacks.Match> worstMatches = List.of();
      for (TextEmbedding.Window w : t.embedding().windows()) {
        List<KnownAttacks.Match> m = nearest.get(q++);
        if (!m.isEmpty() && (worst == null || m.getFirst().score() > worstMatches.getFirst().score())) {
          worst = w;
          worstMatches = m;
        }
      }
      if (worst == null || worstMatches.getFirst().score() < threshold) {
        out.add(Detection.NOTHING);
        continue;
      }
      out.add(Detection.of(Hits.toFinding(hit(t, worst, worstMatches), t.codePointPrefix())));
    }
    return out;
  }

  private Hit hit(PreparedText t, TextEmbedding.Window w, List<KnownAttacks.Match> matches) {
    KnownAttacks.Match best = matches.getFirst();
    float score = score(best.score());
    String near = matches.stream()
        .map(m -> m.exemplar().id() + " (" + String.format(Locale.ROOT, "%.3f", m.score()) + ")")
        .collect(Collectors.joining(", "));
    return new Hit(ID, best.exemplar().findingCategory(), score >= 0.85f ? Severity.SEVERITY_HIGH : Severity.SEVERITY_MEDIUM,
        score, w.start(), w.end(), "", Hit.excerptOf(t.text().substring(w.start(), w.end())),
        "close to known attacks: " + near);
  }

  /** The finding score of a cosine similarity at or above the threshold. */
  float score(float cosine) {
    double s = 0.5 + 0.5 * (cosine - threshold) / (1 - threshold);
    return (float) Math.max(0, Math.min(1, s));
  }
}
