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
  // null for the identity mapping, which needs no arrays
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
    return new MappedText(original, null, null, original.length());
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
      return text.isEmpty() ? 0 : originalEnd(text.length());
    }
    return start == null ? from : start[from];
  }

  /**
   * The original UTF-16 offset (exclusive) where the derived range ending at {@code to}
   * (exclusive) ends.
   */
  public int originalEnd(int to) {
    if (to <= 0) {
      return text.isEmpty() ? 0 : originalStart(0);
    }
    return end == null ? to : end[to - 1];
  }

  /** Whether this text is the original unchanged. */
  public boolean isIdentity() {
    if (text.length() != originalLength) {
      return false;
    }
    if (start == null) {
      return true;
    }
    for (int i = 0; i < text.length(); i++) {
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

    /** Appends one UTF-16 unit that came from original [{@code from}, {@code to}). */
    public Builder appendChar(char c, int from, int to) {
      int n = sb.length();
      ensure(n + 1);
      start[n] = from;
      end[n] = to;
      sb.append(c);
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

    /**
     * The derived text. The builder hands its offset arrays over (they may be longer than the
     * text), so nothing may be appended after this.
     */
    public MappedText build() {
      return new MappedText(sb.toString(), start, end, originalLength);
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
