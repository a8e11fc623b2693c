package io.screenmesh.text.screen;

import io.screenmesh.services.common.engine.Availability;
import io.screenmesh.text.embed.Embedder;
import io.screenmesh.text.embed.TextEmbedding;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedding stage of text-screening: embeds the normalized texts of a batch once, before the
 * detectors run, so that every detector reading {@link PreparedText#embedding()} shares one
 * model run, and maps each window's span back to the caller's original text. Holds the
 * {@link Embedder}, or why there is none (disabled by configuration, or the model could not
 * load), which detectors that need embeddings report as their {@link Availability}.
 *
 * <p>Thread-safe; owns the embedder and closes it in {@link #close()}.
 */
public final class TextEmbeddings implements AutoCloseable {

  private final Embedder embedder;
  private final Availability availability;

  private TextEmbeddings(Embedder embedder, Availability availability) {
    this.embedder = embedder;
    this.availability = availability;
  }

  /** A stage that embeds with {@code embedder}, which it now owns. */
  public static TextEmbeddings of(Embedder embedder) {
    return new TextEmbeddings(embedder, Availability.AVAILABLE);
  }

  /** No embeddings, for {@code reason} (said by every detector that needs them). */
  public static TextEmbeddings unavailable(String reason) {
    return new TextEmbeddings(null, Availability.unavailable(reason));
  }

  /**
   * The bundled model with {@code options}, or an unavailable stage that says why it could not
   * load (a missing artifact, a native library that does not load on this machine).
   */
  public static TextEmbeddings load(Embedder.Options options) {
    try {
      return of(Embedder.bundled(options));
    } catch (IllegalStateException | LinkageError e) {
      return unavailable("the embedding model did not load: " + e.getMessage());
    }
  }

  /** Whether embeddings are computed, and why not. */
  public Availability availability() {
    return availability;
  }

  /** The embedder; null when {@link #availability()} says there is none. */
  public Embedder embedder() {
    return embedder;
  }

  /**
   * The batch with each text's embedding attached (the batch unchanged when there is no
   * embedder). Windows cover the normalized text; their spans are moved to original offsets.
   */
  public List<PreparedText> embed(List<PreparedText> batch) {
    if (embedder == null || batch.isEmpty()) {
      return batch;
    }
    List<String> texts = new ArrayList<>(batch.size());
    for (PreparedText p : batch) {
      texts.add(p.unicode().normalized().text());
    }
    List<TextEmbedding> embedded = embedder.embed(texts);
    List<PreparedText> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      out.add(batch.get(i).withEmbedding(toOriginal(embedded.get(i), batch.get(i).unicode().normalized())));
    }
    return out;
  }

  /** {@code e}'s window spans, which index {@code map.text()}, moved to original offsets. */
  static TextEmbedding toOriginal(TextEmbedding e, MappedText map) {
    if (map.isIdentity()) {
      return e;
    }
    List<TextEmbedding.Window> windows = new ArrayList<>(e.windows().size());
    for (TextEmbedding.Window w : e.windows()) {
      int start = w.start() == w.end() ? 0 : map.originalStart(w.start());
      int end = w.start() == w.end() ? 0 : Math.max(start, map.originalEnd(w.end()));
      windows.add(new TextEmbedding.Window(start, end, w.vector()));
    }
    return new TextEmbedding(windows);
  }

  /** Closes the embedder; idempotent. */
  @Override
  public void close() {
    if (embedder != null) {
      embedder.close();
    }
  }
}
