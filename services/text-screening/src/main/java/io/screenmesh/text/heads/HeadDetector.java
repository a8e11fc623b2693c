package io.screenmesh.text.heads;

import io.screenmesh.services.common.engine.Availability;
import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import io.screenmesh.text.TextScreeningConfig;
import io.screenmesh.text.embed.Embedder;
import io.screenmesh.text.embed.TextEmbedding;
import io.screenmesh.text.screen.Hit;
import io.screenmesh.text.screen.Hits;
import io.screenmesh.text.screen.PreparedText;
import io.screenmesh.text.screen.TextAnalyzer;
import io.screenmesh.text.screen.TextDetector;
import io.screenmesh.text.screen.TextEmbeddings;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * {@code text.head}: the learned heads (prompt injection, jailbreak, harmful request) on each
 * window of a text's sentence embedding plus its rule and unicode features; a head whose worst
 * window is above its threshold is a finding ({@code text.head.injection}, {@code text.head.jailbreak},
 * {@code text.head.harmful}) whose evidence is that window's span.
 *
 * <p>The heads come from {@code screenmesh.text.heads.dir} (a folder written by
 * {@code ./screenmesh train}) or, by default, the ones bundled with text-screening. Heads fitted on
 * another embedding model than the running one are refused at start-up: their features would mean
 * something else. Without the embedding model the detector is unavailable, with the reason.
 *
 * <p>In the service the heads read the embedding stage's vectors ({@link PreparedText#embedding()}):
 * the heads were fitted on embeddings of the caller's text, and the stage embeds the normalized
 * text, so a text that normalization left unchanged (most of them) is not embedded twice; one
 * that it changed is embedded again, as sent, with the stage's model. With the stage disabled
 * ({@code screenmesh.text.embeddings.enabled=false}) the heads are unavailable for the same reason.
 */
@Singleton
public class HeadDetector implements TextDetector, AutoCloseable {

  /** The detector id. */
  public static final String ID = "text.head";
  /** The heads bundled with text-screening (the shared data, seed 1, 1% FPR; see the model card beside it). */
  public static final String BUNDLED = "/io/screenmesh/text/heads/heads.json";

  private static final Logger LOG = Logger.getLogger(HeadDetector.class);

  private final HeadScorer scorer;
  private final Embedder embedder;
  // False when the embedder belongs to the embedding stage, which closes it.
  private final boolean ownsEmbedder;
  private final Availability availability;

  /** The detector as the service configures it, on the service's embedding stage. */
  @Inject
  public HeadDetector(TextScreeningConfig config, TextAnalyzer analyzer, TextEmbeddings stage) {
    this(config.heads().dir().map(Path::of), analyzer, () -> {
      if (stage.embedder() == null) {
        throw new IllegalStateException(stage.availability().reason());
      }
      return stage.embedder();
    }, false);
  }

  /**
   * A detector over the heads in {@code dir} (the bundled ones when empty).
   *
   * @param embedders opens the embedding model; it may throw {@link IllegalStateException} when the
   *     model cannot load, which leaves the detector unavailable
   * @throws IllegalStateException when the heads cannot be read, or were fitted on another embedding
   *     model or feature spec than this build's
   */
  public HeadDetector(Optional<Path> dir, TextAnalyzer analyzer, Supplier<Embedder> embedders) {
    this(dir, analyzer, embedders, true);
  }

  private HeadDetector(Optional<Path> dir, TextAnalyzer analyzer, Supplier<Embedder> embedders, boolean owns) {
    this.ownsEmbedder = owns;
    String from = dir.map(Path::toString).orElse("the bundled heads (" + BUNDLED + ")");
    HeadSet set = dir.isPresent() ? readDir(dir.get()) : readBundled();
    if (set == null) {
      this.scorer = null;
      this.embedder = null;
      this.availability = Availability.unavailable("no heads: " + BUNDLED + " is not on the class path");
      return;
    }
    Embedder e;
    try {
      e = embedders.get();
    } catch (IllegalStateException ex) {
      this.scorer = null;
      this.embedder = null;
      this.availability = Availability.unavailable("the embedding model cannot run: " + ex.getMessage());
      return;
    }
    try {
      set.requireModel(e.modelSha256(), from);
      if (e.dimension() != set.spec().embeddingDimension()) {
        throw new IllegalStateException("heads in " + from + " read " + set.spec().embeddingDimension()
            + "-d embeddings; the running model gives " + e.dimension());
      }
    } catch (RuntimeException ex) {
      if (owns) {
        e.close();
      }
      throw ex;
    }
    this.scorer = new HeadScorer(set, analyzer);
    this.embedder = e;
    this.availability = Availability.AVAILABLE;
    LOG.infof("text.head: %d heads from %s (embedding model sha256 %s)", set.heads().size(), from,
        set.embeddingModelSha256());
  }

  private static HeadSet readDir(Path dir) {
    try {
      return HeadSet.read(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read heads from screenmesh.text.heads.dir=" + dir + ": " + e, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("refusing the heads in screenmesh.text.heads.dir=" + dir + ": " + e.getMessage(), e);
    }
  }

  private static HeadSet readBundled() {
    try (InputStream in = HeadDetector.class.getResourceAsStream(BUNDLED)) {
      if (in == null) {
        return null;
      }
      return HeadSet.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + BUNDLED, e);
    }
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Availability availability() {
    return availability;
  }

  /** The heads in use; null when unavailable. */
  public HeadSet heads() {
    return scorer == null ? null : scorer.heads();
  }

  @Override
  public List<Detection> detect(List<PreparedText> batch, DetectionContext context) {
    if (scorer == null) {
      throw new IllegalStateException(availability.reason());
    }
    List<TextEmbedding> embeddings = embeddingsOfOriginals(batch);
    List<Detection> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      if (context.isCancelled()) {
        throw new IllegalStateException("the batch was cancelled");
      }
      PreparedText t = batch.get(i);
      List<Hit> hits = scorer.hits(t.text(), t.unicode(), embeddings.get(i));
      out.add(Detection.of(hits.stream().map(h -> Hits.toFinding(h, t.codePointPrefix())).toList()));
    }
    return out;
  }

  /**
   * The embedding of each text as the caller sent it: the stage's where normalization left the
   * text unchanged (the same model on the same characters), a new one for the others.
   */
  private List<TextEmbedding> embeddingsOfOriginals(List<PreparedText> batch) {
    List<TextEmbedding> out = new ArrayList<>(batch.size());
    List<String> again = new ArrayList<>();
    for (PreparedText t : batch) {
      boolean reusable = t.embedding() != null && t.unicode().normalized().isIdentity();
      out.add(reusable ? t.embedding() : null);
      if (!reusable) {
        again.add(t.text());
      }
    }
    if (!again.isEmpty()) {
      List<TextEmbedding> fresh = embedder.embed(again);
      for (int i = 0, k = 0; i < out.size(); i++) {
        if (out.get(i) == null) {
          out.set(i, fresh.get(k++));
        }
      }
    }
    return out;
  }

  /** Releases the embedding model when this detector opened it; idempotent. */
  @PreDestroy
  @Override
  public void close() {
    if (embedder != null && ownsEmbedder) {
      embedder.close();
    }
  }
}
