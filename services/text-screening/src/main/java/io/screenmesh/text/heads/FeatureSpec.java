package io.screenmesh.text.heads;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.text.screen.Hit;
import java.util.List;
import java.util.Locale;

/**
 * How one window of a text becomes a head's input: the window's sentence embedding, then the
 * strongest rule or unicode hit of each {@link #RULE_CATEGORIES category} that overlaps the window,
 * then (optionally) the text's length. A head file names the spec it was fitted with; a head is only
 * ever scored on features made by the same spec.
 *
 * <p>Length is handled with care: in the shared data attacks are longer than benign texts (median
 * 207 against 129 characters, and the shortest benign queries dominate the low end), so raw length
 * alone separates them on that data and nowhere else. {@link LengthMode#CAPPED} keeps
 * {@code log(1 + chars)} only up to {@link #LENGTH_CAP} characters, {@link LengthMode#NONE} drops it.
 *
 * @param version the spec's version, written to head files
 * @param embeddingDimension the embedding's dimension
 * @param length how the text's length enters
 */
public record FeatureSpec(int version, int embeddingDimension, LengthMode length) {

  /** The version of this spec's layout. */
  public static final int VERSION = 1;

  /** Characters above which {@link LengthMode#CAPPED} length stops growing. */
  public static final int LENGTH_CAP = 512;

  /** Longest length {@link LengthMode#RAW} scales to (the shared data's texts stop at 8,000). */
  static final int RAW_SCALE = 8_000;

  /** The categories of rule and unicode hits that become one feature each, in this order. */
  public static final List<Category> RULE_CATEGORIES = List.of(Category.CATEGORY_PROMPT_INJECTION,
      Category.CATEGORY_JAILBREAK, Category.CATEGORY_SYSTEM_PROMPT_EXTRACTION, Category.CATEGORY_DATA_EXFILTRATION,
      Category.CATEGORY_ENCODED_PAYLOAD, Category.CATEGORY_UNICODE_INVISIBLE, Category.CATEGORY_UNICODE_BIDI,
      Category.CATEGORY_UNICODE_CONFUSABLE, Category.CATEGORY_ADVERSARIAL_TEXT);

  /** How a text's length enters the features. */
  public enum LengthMode {
    /** Not at all. */
    NONE,
    /** {@code log(1 + min(chars, LENGTH_CAP)) / log(1 + LENGTH_CAP)}. */
    CAPPED,
    /** {@code log(1 + chars) / log(1 + 8000)}, uncapped: for the ablation only. */
    RAW;

    /** The mode named {@code s} (case-insensitive). */
    public static LengthMode parse(String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("length mode must be none, capped or raw, got '" + s + "'");
      }
    }
  }

  /** Checks the values. */
  public FeatureSpec {
    if (embeddingDimension < 1) {
      throw new IllegalArgumentException("embedding dimension must be positive, got " + embeddingDimension);
    }
  }

  /** The number of features per window. */
  public int size() {
    return embeddingDimension + RULE_CATEGORIES.size() + (length == LengthMode.NONE ? 0 : 1);
  }

  /**
   * The features of one window.
   *
   * @param vector the window's embedding
   * @param start the window's start in the text, UTF-16 units
   * @param end the window's end, exclusive
   * @param hits the rule and unicode hits of the whole text, in the same offsets
   * @param textLength the whole text's length, UTF-16 units
   * @throws IllegalArgumentException when the embedding's dimension is not this spec's
   */
  public float[] features(float[] vector, int start, int end, List<Hit> hits, int textLength) {
    if (vector.length != embeddingDimension) {
      throw new IllegalArgumentException("dimensions differ: " + vector.length + " != " + embeddingDimension);
    }
    float[] f = new float[size()];
    System.arraycopy(vector, 0, f, 0, vector.length);
    int base = embeddingDimension;
    for (Hit h : hits) {
      if (h.severity().getNumber() <= Severity.SEVERITY_INFO.getNumber()) {
        continue;
      }
      // A hit counts for the windows it overlaps; an empty span counts where it stands.
      boolean overlaps = h.start() < end && (h.end() > start || (h.start() == h.end() && h.start() >= start));
      int k = RULE_CATEGORIES.indexOf(h.category());
      if (overlaps && k >= 0) {
        f[base + k] = Math.max(f[base + k], h.score());
      }
    }
    int at = base + RULE_CATEGORIES.size();
    switch (length) {
      case CAPPED -> f[at] = (float) (Math.log1p(Math.min(textLength, LENGTH_CAP)) / Math.log1p(LENGTH_CAP));
      case RAW -> f[at] = (float) (Math.log1p(textLength) / Math.log1p(RAW_SCALE));
      case NONE -> { }
    }
    return f;
  }
}
