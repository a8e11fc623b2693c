package io.screenmesh.audio.speech;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Word-level edit distance: transcript drift and word error rate. */
public final class WordDistance {

  private WordDistance() {}

  /** The Levenshtein distance between two word sequences (substitutions, insertions, deletions). */
  public static int distance(List<String> a, List<String> b) {
    int[] prev = new int[b.size() + 1];
    int[] cur = new int[b.size() + 1];
    for (int j = 0; j <= b.size(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.size(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.size(); j++) {
        int sub = prev[j - 1] + (a.get(i - 1).equals(b.get(j - 1)) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.size()];
  }

  /**
   * The distance divided by the longer sequence's length, in [0, 1]: 0 for equal sequences
   * (two empty ones included), 1 when nothing is shared.
   */
  public static double normalized(List<String> a, List<String> b) {
    int n = Math.max(a.size(), b.size());
    return n == 0 ? 0 : (double) distance(a, b) / n;
  }

  /**
   * The word error rate of {@code hypothesis} against {@code reference}: the distance divided by
   * the reference's word count, after both are lower-cased and stripped of punctuation. 0 for
   * an empty reference and hypothesis, 1 per inserted word for an empty reference.
   */
  public static double wordErrorRate(String reference, String hypothesis) {
    List<String> ref = words(reference);
    List<String> hyp = words(hypothesis);
    return ref.isEmpty() ? hyp.size() : (double) distance(ref, hyp) / ref.size();
  }

  /** Lower-case words of letters, digits and apostrophes; everything else separates. */
  public static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}']+")) {
      String t = w.replaceAll("^'+|'+$", "");
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }
}
