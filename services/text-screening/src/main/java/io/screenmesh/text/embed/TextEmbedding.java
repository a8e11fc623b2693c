package io.screenmesh.text.embed;

import java.util.List;

/**
 * The embedding of one text: one unit vector per window of at most {@link Embedder#windowTokens()}
 * tokens, in text order. A short text has one window; a long one has overlapping windows, so a
 * detector can score each and name the worst window's span as its evidence.
 *
 * @param windows the windows, at least one, ordered by start
 */
public record TextEmbedding(List<Window> windows) {

  /** Copies {@code windows}. */
  public TextEmbedding {
    windows = List.copyOf(windows);
    if (windows.isEmpty()) {
      throw new IllegalArgumentException("an embedding has at least one window");
    }
  }

  /** The first window (the whole text when it fits in one). */
  public Window first() {
    return windows.getFirst();
  }

  /**
   * One window of a text and its embedding.
   *
   * @param start the window's first UTF-16 offset in the embedded text
   * @param end the UTF-16 offset just past the window (half-open; {@code start == end} only for a
   *     text with no tokens)
   * @param vector the L2-normalized mean-pooled embedding; callers must not modify it
   */
  public record Window(int start, int end, float[] vector) {

    /** Checks the span. */
    public Window {
      if (start < 0 || end < start) {
        throw new IllegalArgumentException("bad window span [" + start + ", " + end + ")");
      }
    }

    /** The cosine similarity with {@code other} (a dot product: both are unit vectors). */
    public double cosine(Window other) {
      return Embedder.dot(vector, other.vector);
    }
  }
}
