package io.screenmesh.text.rules;

import java.util.ArrayList;
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
public final class MatchStarts {

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
  public static MatchStarts of(Pattern pattern) {
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
  public Finder finder(Pattern pattern, String text) {
    return new Finder(pattern.matcher(text), text, words == null ? null : this);
  }

  // The first offset at or after from where words[k] occurs (after a non-word character when
  // it follows \b: a word character before it would fail the boundary test anyway), or -1.
  private int occurrence(String text, int k, int from) {
    String w = words[k];
    for (int i = text.indexOf(w, from); i >= 0; i = text.indexOf(w, i + 1)) {
      if (!boundary[k] || i == 0 || !isAsciiWord(text.charAt(i - 1))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Successive matches, as {@link Matcher#find()} would give them; read each from
   * {@link #matcher()}. Occurrences of the leading words are looked up lazily, merged in
   * offset order, so a caller that stops at the first match pays for little more.
   */
  public static final class Finder {
    private final Matcher m;
    private final String text;
    private final MatchStarts starts;
    private final int[] next;
    private int from;
    private int tried = -1;

    private Finder(Matcher m, String text, MatchStarts starts) {
      this.m = m;
      this.text = text;
      this.starts = starts;
      if (starts == null) {
        this.next = null;
        return;
      }
      m.useTransparentBounds(true).useAnchoringBounds(false);
      this.next = new int[starts.words.length];
      for (int k = 0; k < next.length; k++) {
        next[k] = starts.occurrence(text, k, 0);
      }
    }

    /** Whether there is a next match; it is then the matcher's current match. */
    public boolean find() {
      if (starts == null) {
        return m.find();
      }
      while (true) {
        int best = -1;
        for (int k = 0; k < next.length; k++) {
          if (next[k] >= 0 && (best < 0 || next[k] < next[best])) {
            best = k;
          }
        }
        if (best < 0) {
          return false;
        }
        int p = next[best];
        next[best] = starts.occurrence(text, best, Math.max(p + 1, from));
        if (p < from || p <= tried) {
          continue; // inside the previous match, or tried already for another word
        }
        tried = p;
        m.region(p, text.length());
        if (m.lookingAt()) {
          from = Math.max(m.end(), p + 1);
          return true;
        }
      }
    }

    /** The matcher holding the current match (its region may not be the whole text). */
    public Matcher matcher() {
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
    StringBuilder word = new StringBuilder();
    while (i < to) {
      char c = r.charAt(i);
      if (isLiteral(c)) {
        word.append(c);
        i++;
      } else if (c == '\\' && i + 1 < to && isEscapedLiteral(r.charAt(i + 1))) {
        word.append(r.charAt(i + 1));
        i += 2;
      } else {
        break;
      }
    }
    if (i < to && "?*{".indexOf(r.charAt(i)) >= 0 && !word.isEmpty()) {
      // the last character is optional or repeated from zero (a high surrogate left alone
      // still finds every occurrence of its pair)
      word.setLength(word.length() - 1);
    }
    if (word.isEmpty()) {
      return false;
    }
    out.add(new Lead(word.toString(), boundary));
    return true;
  }

  // Characters that stand for themselves in a pattern without flags.
  private static boolean isLiteral(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
        || c == ' ' || c >= 0x80 || "<>#!@%&=:;,/~'\"`".indexOf(c) >= 0;
  }

  // \[, \| and the like: escaped punctuation; an escaped letter or digit is a class, an
  // anchor or a code.
  private static boolean isEscapedLiteral(char c) {
    return c < 0x80 && !Character.isLetterOrDigit(c);
  }

  private static boolean isAsciiWord(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
}
