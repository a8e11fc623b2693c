package io.screenmesh.text.rules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The literal words that every match of a pattern begins with, read off the pattern's source,
 * and a {@link Matcher#find()} that tries the pattern only where one of them occurs.
 *
 * <p>{@code find()} tries a pattern at every offset, and a pattern that opens with an
 * alternation of words ({@code \b(?:ignore|disregard|...)}) pays for each alternative at
 * each word start: most of a rule scan goes there. {@code indexOf} finds the few offsets
 * where a leading word actually occurs far faster, and {@code lookingAt} at each of them, in
 * order, with transparent and non-anchoring bounds, yields exactly the matches {@code find()}
 * would. A pattern whose leading words cannot be read off (one that opens with a character
 * class, an escape, an optional group, or uses flags) keeps the plain {@code find()}.
 */
final class MatchStarts {

  private static final MatchStarts UNKNOWN = new MatchStarts(null, null);

  // null: the leading words are not known, every offset is a candidate.
  private final String[] words;
  // whether words[i] sits right after a \b (and starts with a word character)
  private final boolean[] boundary;

  private MatchStarts(String[] words, boolean[] boundary) {
    this.words = words;
    this.boundary = boundary;
  }

  /** The leading words of {@code pattern}, or the "every offset" filter when they cannot be read off. */
  static MatchStarts of(Pattern pattern) {
    if (pattern == null || pattern.flags() != 0 || pattern.pattern().contains("(?i")) {
      return UNKNOWN;
    }
    List<Lead> leads = new ArrayList<>();
    String r = pattern.pattern();
    if (!alternation(r, 0, r.length(), false, leads)) {
      return UNKNOWN;
    }
    // One scan per distinct word; the boundary filter only where every occurrence has it.
    Map<String, Boolean> distinct = new LinkedHashMap<>();
    for (Lead l : leads) {
      distinct.merge(l.word(), l.boundary() && isAsciiWord(l.word().charAt(0)), Boolean::logicalAnd);
    }
    String[] w = distinct.keySet().toArray(new String[0]);
    boolean[] b = new boolean[w.length];
    for (int i = 0; i < w.length; i++) {
      b[i] = distinct.get(w[i]);
    }
    return new MatchStarts(w, b);
  }

  /** The leading words, or null when unknown (for tests). */
  String[] words() {
    return words == null ? null : words.clone();
  }

  /** A finder over {@code text} for {@code pattern}, whose leading words this is. */
  Finder finder(Pattern pattern, String text) {
    return new Finder(pattern.matcher(text), words == null ? null : candidates(text));
  }

  // Sorted distinct offsets where a leading word occurs (after a non-word character when it
  // follows \b: a word character before it would fail the boundary test anyway).
  private int[] candidates(String text) {
    int[] out = new int[16];
    int n = 0;
    for (int k = 0; k < words.length; k++) {
      String w = words[k];
      for (int i = text.indexOf(w); i >= 0; i = text.indexOf(w, i + 1)) {
        if (boundary[k] && i > 0 && isAsciiWord(text.charAt(i - 1))) {
          continue;
        }
        if (n == out.length) {
          out = Arrays.copyOf(out, n * 2);
        }
        out[n++] = i;
      }
    }
    Arrays.sort(out, 0, n);
    int d = 0;
    for (int i = 0; i < n; i++) {
      if (d == 0 || out[d - 1] != out[i]) {
        out[d++] = out[i];
      }
    }
    return Arrays.copyOf(out, d);
  }

  /** Successive matches, as {@link Matcher#find()} would give them; read each from {@link #matcher()}. */
  static final class Finder {
    private final Matcher m;
    private final int[] candidates;
    private int next;
    private int from;

    private Finder(Matcher m, int[] candidates) {
      this.m = m;
      this.candidates = candidates;
      if (candidates != null) {
        m.useTransparentBounds(true).useAnchoringBounds(false);
      }
    }

    /** Whether there is a next match; it is then the matcher's current match. */
    boolean find() {
      if (candidates == null) {
        return m.find();
      }
      int n = m.regionEnd();
      while (next < candidates.length) {
        int p = candidates[next++];
        if (p < from) {
          continue;
        }
        m.region(p, n);
        if (m.lookingAt()) {
          from = Math.max(m.end(), p + 1);
          return true;
        }
      }
      return false;
    }

    /** The matcher holding the current match (its region may not be the whole text). */
    Matcher matcher() {
      return m;
    }
  }

  private record Lead(String word, boolean boundary) {}

  // The alternatives of r[from, to), each of which must open with a readable word.
  private static boolean alternation(String r, int from, int to, boolean boundary, List<Lead> out) {
    int start = from;
    for (int bar = topLevel(r, from, to, '|'); bar >= 0; bar = topLevel(r, start, to, '|')) {
      if (!sequence(r, start, bar, boundary, out)) {
        return false;
      }
      start = bar + 1;
    }
    return sequence(r, start, to, boundary, out);
  }

  /**
   * The first offset in regex source r[from, to) holding {@code target} outside character
   * classes and escapes and at nesting depth zero (a ')' closes the group open at
   * {@code from}), or -1.
   */
  static int topLevel(String r, int from, int to, char target) {
    int depth = 0;
    boolean inClass = false;
    for (int i = from; i < to; i++) {
      char c = r.charAt(i);
      if (c == '\\') {
        i++;
      } else if (inClass) {
        inClass = c != ']';
      } else if (c == '[') {
        inClass = true;
      } else if (c == target && depth == 0) {
        return i;
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      }
    }
    return -1;
  }

  // The word that r[from, to) opens with, after an optional \b, or inside an opening group.
  private static boolean sequence(String r, int from, int to, boolean boundary, List<Lead> out) {
    int i = from;
    if (r.startsWith("\\b", i) && i + 2 <= to) {
      boundary = true;
      i += 2;
    }
    if (r.startsWith("(?:", i)) {
      int close = topLevel(r, i + 3, to, ')');
      if (close < 0 || (close + 1 < to && "?*{".indexOf(r.charAt(close + 1)) >= 0)) {
        return false; // an optional opening group: the match may start after it
      }
      return alternation(r, i + 3, close, boundary, out);
    }
    int s = i;
    while (i < to && isLiteral(r.charAt(i))) {
      i++;
    }
    if (i < to && "?*{".indexOf(r.charAt(i)) >= 0) {
      i--; // the last letter is optional or repeated from zero
    }
    if (i <= s) {
      return false;
    }
    out.add(new Lead(r.substring(s, i), boundary));
    return true;
  }

  private static boolean isLiteral(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
        || c == ' ';
  }

  private static boolean isAsciiWord(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
}
