package io.screenmesh.bench.load;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The prompts a run sends: read from a JSONL file (the {@code text} field of each line) or
 * generated, benign and deterministic for a seed. Every prompt is cut to at most
 * {@code maxChars} UTF-16 units, never inside a surrogate pair, so that the size bound the
 * latency target is stated for holds.
 */
public final class Prompts {

  private static final String[] SENTENCES = {
      "What is the boiling point of water at sea level?",
      "Summarize the main causes of the French Revolution in three bullet points.",
      "Can you suggest a vegetarian dinner that takes less than thirty minutes to cook?",
      "Explain the difference between a list and a set in Python with a short example.",
      "Translate 'good morning, how are you today' into Spanish and German.",
      "Write a polite e-mail asking a colleague to review my pull request by Friday.",
      "How do tides work, and why are there two high tides a day in most places?",
      "Give me a packing list for a three-day hiking trip in late autumn.",
      "What are the pros and cons of renting versus buying a home in a large city?",
      "Describe how photosynthesis turns sunlight into chemical energy.",
      "Recommend three classic science-fiction novels and say why each is worth reading.",
      "How should I structure a weekly study plan for an introductory statistics course?",
      "Why is the sky blue during the day and red at sunset?",
      "List some good stretching exercises for people who sit at a desk all day.",
      "Explain what a hash map is and when lookups in it become slow.",
      "Draft a short birthday message for my grandmother, who loves gardening.",
  };

  private Prompts() {}

  /**
   * Reads the {@code text} field of every line of a JSONL file; lines without one are skipped.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when a line is not JSON, or no line has a text
   */
  public static List<String> fromJsonl(Path file, int maxChars) throws IOException {
    List<String> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        JsonElement e;
        try {
          e = JsonParser.parseString(line);
        } catch (RuntimeException bad) {
          throw new IllegalArgumentException(file + " line " + n + " is not JSON: " + bad.getMessage(), bad);
        }
        if (e.isJsonObject() && e.getAsJsonObject().has("text") && e.getAsJsonObject().get("text").isJsonPrimitive()) {
          String text = cut(e.getAsJsonObject().get("text").getAsString(), maxChars);
          if (!text.isEmpty()) {
            out.add(text);
          }
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(file + " has no line with a \"text\" field");
    }
    return out;
  }

  /**
   * Generates {@code count} benign prompts from a fixed set of everyday questions.
   *
   * @param fixedChars when positive, every prompt has exactly this many characters (capped at
   *     {@code maxChars}); otherwise lengths are uniform between 20 and {@code maxChars}
   */
  public static List<String> generated(int count, int maxChars, int fixedChars, long seed) {
    if (count <= 0 || maxChars < 20) {
      throw new IllegalArgumentException("need count > 0 and maxChars >= 20, got " + count + ", " + maxChars);
    }
    Random rnd = new Random(seed);
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int len = fixedChars > 0 ? Math.min(fixedChars, maxChars) : 20 + rnd.nextInt(maxChars - 20 + 1);
      StringBuilder sb = new StringBuilder(len + 100);
      while (sb.length() < len) {
        if (!sb.isEmpty()) {
          sb.append(' ');
        }
        sb.append(SENTENCES[rnd.nextInt(SENTENCES.length)]);
      }
      out.add(cut(sb.toString(), len));
    }
    return out;
  }

  /** {@code s} cut to at most {@code maxChars} UTF-16 units, not inside a surrogate pair. */
  public static String cut(String s, int maxChars) {
    if (s.length() <= maxChars) {
      return s;
    }
    int end = maxChars;
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }
}
