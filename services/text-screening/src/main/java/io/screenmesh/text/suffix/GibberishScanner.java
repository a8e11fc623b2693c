package io.screenmesh.text.suffix;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds runs of a text that read as token soup to a {@link CharNgramModel}: the mean surprise of
 * every {@value #WINDOW}-character window, with windows at or over the model's threshold merged
 * into spans. What is meant to look random is left out of the windows: URLs, e-mail addresses,
 * long base64, hex or hash tokens, and words with characters outside ASCII (CJK, Cyrillic,
 * accented Latin, emoji; the model knows English-like text only, so it says nothing about them). A window needs three quarters of
 * its characters scored to count. Linear in the text (prefix sums). Thread-safe.
 */
public final class GibberishScanner {

  /** Characters in a window. */
  public static final int WINDOW = 48;
  private static final int MIN_SCORED = WINDOW * 3 / 4;
  private static final Pattern MEANT_RANDOM = Pattern.compile(
      "(?:https?|ftp)://\\S{1,4096}|www\\.\\S{1,4096}|[\\w.+-]{1,64}@[\\w-]{1,63}(?:\\.[\\w-]{1,63}){1,8}");

  /**
   * A gibberish span.
   *
   * @param start first character, UTF-16 offset into the scanned text
   * @param end end, exclusive
   * @param bitsPerChar the highest window mean in the span
   * @param trailing whether the span ends the text (judged by the suffix threshold): the shape of an
   *     optimized suffix appended to a request
   */
  public record Span(int start, int end, float bitsPerChar, boolean trailing) {}

  private final CharNgramModel model;

  /** A scanner over {@code model}. */
  public GibberishScanner(CharNgramModel model) {
    this.model = model;
  }

  /** The model. */
  public CharNgramModel model() {
    return model;
  }

  /**
   * The gibberish of {@code text}: spans whose windows reach the model's threshold anywhere, in
   * order, then (last, {@code trailing} set) the run of windows at the end of the text that reach
   * the lower threshold for a suffix, when its final window does.
   */
  public List<Span> scan(String text) {
    List<Span> out = new ArrayList<>();
    int n = text.length();
    int last = n;
    while (last > 0 && Character.isWhitespace(text.charAt(last - 1))) {
      last--;
    }
    if (last < WINDOW) {
      return out;
    }
    boolean[] skip = meantRandom(text);
    float[] bits = model.bits(text);
    double[] sum = new double[n + 1];
    int[] scored = new int[n + 1];
    for (int i = 0; i < n; i++) {
      boolean s = !skip[i] && text.charAt(i) > ' ';
      sum[i + 1] = sum[i] + (s ? bits[i] : 0);
      scored[i + 1] = scored[i] + (s ? 1 : 0);
    }
    float threshold = model.threshold();
    int spanStart = -1;
    int spanEnd = -1;
    float spanMax = 0;
    for (int i = 0; i + WINDOW <= last; i++) {
      float mean = mean(sum, scored, i);
      if (mean >= threshold) {
        if (spanStart >= 0 && i <= spanEnd) {
          spanEnd = i + WINDOW;
          spanMax = Math.max(spanMax, mean);
        } else {
          if (spanStart >= 0) {
            out.add(span(text, spanStart, spanEnd, spanMax, false));
          }
          spanStart = i;
          spanEnd = i + WINDOW;
          spanMax = mean;
        }
      }
    }
    if (spanStart >= 0) {
      out.add(span(text, spanStart, spanEnd, spanMax, false));
    }
    float suffix = model.suffixThreshold();
    int start = last - WINDOW;
    float tailMax = mean(sum, scored, start);
    if (tailMax >= suffix) {
      while (start > 0 && mean(sum, scored, start - 1) >= suffix) {
        start--;
        tailMax = Math.max(tailMax, mean(sum, scored, start));
      }
      out.add(span(text, suffixStart(text, bits, skip, start, last, suffix), last, tailMax, true));
    }
    return out;
  }

  /** The score of the final window of {@code text} (0 when too short or too little of it is scored). */
  public float tailScore(String text) {
    int last = text.length();
    while (last > 0 && Character.isWhitespace(text.charAt(last - 1))) {
      last--;
    }
    if (last < WINDOW) {
      return 0f;
    }
    boolean[] skip = meantRandom(text);
    float[] bits = model.bits(text);
    double total = 0;
    int count = 0;
    for (int i = last - WINDOW; i < last; i++) {
      if (!skip[i] && text.charAt(i) > ' ') {
        total += bits[i];
        count++;
      }
    }
    return count < MIN_SCORED ? 0f : (float) (total / count);
  }

  // The windows reach back into the request; the suffix starts where the surprise in excess of the
  // threshold, summed to the end, is greatest (the start of the maximum-sum suffix), at a word start.
  private static int suffixStart(String text, float[] bits, boolean[] skip, int from, int last, float threshold) {
    double run = 0;
    double best = Double.NEGATIVE_INFINITY;
    int at = from;
    for (int i = last - 1; i >= from; i--) {
      if (!skip[i] && text.charAt(i) > ' ') {
        run += bits[i] - threshold;
      }
      if (run >= best) {
        best = run;
        at = i;
      }
    }
    while (at > from && !Character.isWhitespace(text.charAt(at - 1))) {
      at--;
    }
    return at;
  }

  private static float mean(double[] sum, int[] scored, int i) {
    int count = scored[i + WINDOW] - scored[i];
    return count < MIN_SCORED ? 0f : (float) ((sum[i + WINDOW] - sum[i]) / count);
  }

  private static Span span(String text, int start, int end, float max, boolean trailing) {
    while (start < end && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    return new Span(start, end, max, trailing);
  }

  /**
   * Whether {@code text[start, end)} reads as code or a table rather than token soup: its
   * brackets pair up (at most one stray) and it carries code punctuation (a bracket pair,
   * {@code ;} or {@code =}), or
   * it is cut into cells by four or more {@code |}. Code and tables are improbable to a model of
   * prose, yet built by rules that token soup ignores: optimized suffixes string together tokens
   * such as {@code ](} and {@code {[} that leave brackets unpaired.
   */
  public static boolean structured(String text, int start, int end) {
    int pipes = 0;
    boolean codePunctuation = false;
    int stray = 0;
    StringBuilder open = new StringBuilder();
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '(', '[', '{' -> open.append(c);
        case ')', ']', '}' -> {
          char want = c == ')' ? '(' : c == ']' ? '[' : '{';
          if (!open.isEmpty() && open.charAt(open.length() - 1) == want) {
            open.setLength(open.length() - 1);
            codePunctuation = true; // a matched pair
          } else {
            stray++;
          }
        }
        case ';', '=' -> codePunctuation = true;
        case '|' -> pipes++;
        default -> { }
      }
    }
    stray += open.length();
    return pipes >= 4 || (stray <= 1 && codePunctuation);
  }

  /** Characters to leave out of the windows: those meant to look random, and foreign ones. */
  static boolean[] meantRandom(String text) {
    int n = text.length();
    boolean[] skip = new boolean[n];
    if (text.indexOf("://") >= 0 || text.indexOf("www.") >= 0 || text.indexOf('@') >= 0) {
      Matcher m = MEANT_RANDOM.matcher(text);
      while (m.find()) {
        java.util.Arrays.fill(skip, m.start(), m.end(), true);
      }
    }
    // Long tokens of base64, hex or identifier characters (encoded data, hashes, keys), and foreign words.
    int i = 0;
    while (i < n) {
      if (Character.isWhitespace(text.charAt(i))) {
        i++;
        continue;
      }
      int s = i;
      int blobChars = 0;
      boolean foreign = false;
      while (i < n && !Character.isWhitespace(text.charAt(i))) {
        char c = text.charAt(i);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "+/=_-".indexOf(c) >= 0) {
          blobChars++;
        }
        foreign |= CharNgramModel.foreign(c);
        i++;
      }
      // A word with a letter outside ASCII is another language's (the model knows English-like
      // text only): the whole word is left out, not just the letter.
      // Letters alone, however long, are words or token soup and are scored; encoded data has digits.
      if (foreign || identifier(text, s, i) || (i - s >= 16 && blobChars >= (i - s) * 9 / 10 && encodedMark(text, s, i))) {
        java.util.Arrays.fill(skip, s, i, true);
      }
    }
    return skip;
  }

  private static boolean encodedMark(String text, int s, int e) {
    for (int i = s; i < e; i++) {
      char c = text.charAt(i);
      if ((c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=') {
        return true;
      }
    }
    return false;
  }

  // Codes that mix letters and digits (O8IHB3, 64GB, a1b2c3d4): made to be unpredictable, and rare in token soup.
  private static boolean identifier(String text, int s, int e) {
    boolean letter = false;
    boolean digit = false;
    for (int i = s; i < e; i++) {
      char c = text.charAt(i);
      letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      digit |= c >= '0' && c <= '9';
    }
    return letter && digit && e - s >= 3;
  }
}
