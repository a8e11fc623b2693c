package io.screenmesh.audio.speech;

import io.screenmesh.common.v1.TimeRange;
import java.util.List;

/**
 * What the recognizer heard in a clip: the words with their times and character offsets in
 * {@link #text()}, which is the words joined by single spaces.
 *
 * @param text the transcript
 * @param words the words in order
 */
public record Transcript(String text, List<Word> words) {

  /** Nothing heard. */
  public static final Transcript EMPTY = new Transcript("", List.of());

  /**
   * One word.
   *
   * @param word the word
   * @param start its start, seconds from the beginning of the clip
   * @param end its end, in seconds
   * @param confidence the recognizer's confidence, in [0, 1]
   * @param from its first character in the transcript (UTF-16 index)
   * @param to one past its last character
   */
  public record Word(String word, double start, double end, double confidence, int from, int to) {}

  /** Copies the word list. */
  public Transcript {
    words = List.copyOf(words);
  }

  /** Builds a transcript from words and times, computing the text and the offsets. */
  public static Transcript of(List<String> words, List<double[]> times, List<Double> confidences) {
    StringBuilder text = new StringBuilder();
    java.util.ArrayList<Word> out = new java.util.ArrayList<>(words.size());
    for (int i = 0; i < words.size(); i++) {
      if (i > 0) {
        text.append(' ');
      }
      int from = text.length();
      text.append(words.get(i));
      out.add(new Word(words.get(i), times.get(i)[0], times.get(i)[1], confidences.get(i), from, text.length()));
    }
    return new Transcript(text.toString(), out);
  }

  /** True when no word was heard. */
  public boolean isEmpty() {
    return words.isEmpty();
  }

  /** The mean word confidence, 0 when empty. */
  public double meanConfidence() {
    return words.stream().mapToDouble(Word::confidence).average().orElse(0);
  }

  /** The words alone, for comparing transcripts. */
  public List<String> tokens() {
    return words.stream().map(Word::word).toList();
  }

  /**
   * The time range of the words that overlap characters {@code [from, to)} of the text, or null
   * when none does.
   */
  public TimeRange timeOf(int from, int to) {
    double start = Double.NaN;
    double end = Double.NaN;
    for (Word w : words) {
      if (w.to() > from && w.from() < Math.max(to, from + 1)) {
        start = Double.isNaN(start) ? w.start() : Math.min(start, w.start());
        end = Double.isNaN(end) ? w.end() : Math.max(end, w.end());
      }
    }
    return Double.isNaN(start) ? null : TimeRange.newBuilder().setStartSeconds(start).setEndSeconds(end).build();
  }

  /** The words that overlap characters {@code [from, to)}, joined by spaces. */
  public String wordsOf(int from, int to) {
    StringBuilder b = new StringBuilder();
    for (Word w : words) {
      if (w.to() > from && w.from() < Math.max(to, from + 1)) {
        if (!b.isEmpty()) {
          b.append(' ');
        }
        b.append(w.word());
      }
    }
    return b.toString();
  }
}
