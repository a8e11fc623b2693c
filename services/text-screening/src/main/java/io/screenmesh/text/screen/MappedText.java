package io.screenmesh.text.screen;

import java.util.Arrays;

/**
 * A text derived from an original text (by removing, normalizing or replacing characters)
 * together with, for each of its UTF-16 units, the half-open range of original UTF-16 units
 * it came from. Detectors read the derived text; their findings are reported against the
 * original through {@link #originalStart(int)} and {@link #originalEnd(int)}.
 */
public final class MappedText {

  private final String text;
  private final int[] start;
  private final int[] end;
  private final int originalLength;

  private MappedText(String text, int[] start, int[] end, int originalLength) {
    this.text = text;
    this.start = start;
    this.end = end;
    this.originalLength = originalLength;
  }

  /** The identity mapping of {@code original} onto itself. */
  public static MappedText identity(String original) {
    int n = original.length();
    int[] s = new int[n];
    int[] e = new int[n];
    for (int i = 0; i < n; i++) {
      s[i] = i;
      e[i] = i + 1;
    }
    return new MappedText(original, s, e, n);
  }

  /** The derived text. */
  public String text() {
    return text;
  }

  /** The length of the original text in UTF-16 units. */
  public int originalLength() {
    return originalLength;
  }

  /** The original UTF-16 offset where the derived range starting at {@code from} begins. */
  public int originalStart(int from) {
    if (from >= text.length()) {
      return text.isEmpty() ? 0 : end[text.length() - 1];
    }
    return start[from];
  }

  /**
   * The original UTF-16 offset (exclusive) where the derived range ending at {@code to}
   * (exclusive) ends.
   */
  public int originalEnd(int to) {
    if (to <= 0) {
      return text.isEmpty() ? 0 : start[0];
    }
    return end[to - 1];
  }

  /** Whether this text is the original unchanged. */
  public boolean isIdentity() {
    if (text.length() != originalLength) {
      return false;
    }
    for (int i = 0; i < start.length; i++) {
      if (start[i] != i || end[i] != i + 1) {
        return false;
      }
    }
    return true;
  }

  /** Builds a derived text piece by piece, each piece naming the original range it replaces. */
  public static final class Builder {
    private final StringBuilder sb;
    private int[] start;
    private int[] end;
    private final int originalLength;

    /** A builder for a text derived from an original of {@code originalLength} UTF-16 units. */
    public Builder(int originalLength) {
      this.originalLength = originalLength;
      int cap = Math.max(16, originalLength);
      this.sb = new StringBuilder(cap);
      this.start = new int[cap];
      this.end = new int[cap];
    }

    /** Appends {@code piece}, every unit of which came from original [{@code from}, {@code to}). */
    public Builder append(CharSequence piece, int from, int to) {
      int n = piece.length();
      ensure(sb.length() + n);
      for (int i = 0; i < n; i++) {
        start[sb.length() + i] = from;
        end[sb.length() + i] = to;
      }
      sb.append(piece);
      return this;
    }

    /** Appends one code point that came from original [{@code from}, {@code to}). */
    public Builder appendCodePoint(int cp, int from, int to) {
      int n = Character.charCount(cp);
      ensure(sb.length() + n);
      for (int i = 0; i < n; i++) {
        start[sb.length() + i] = from;
        end[sb.length() + i] = to;
      }
      sb.appendCodePoint(cp);
      return this;
    }

    /** The number of UTF-16 units appended so far. */
    public int length() {
      return sb.length();
    }

    /** The derived text. */
    public MappedText build() {
      int n = sb.length();
      return new MappedText(sb.toString(), Arrays.copyOf(start, n), Arrays.copyOf(end, n), originalLength);
    }

    private void ensure(int cap) {
      if (cap > start.length) {
        int c = Math.max(cap, start.length * 2);
        start = Arrays.copyOf(start, c);
        end = Arrays.copyOf(end, c);
      }
    }
  }
}
