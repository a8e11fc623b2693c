package io.screenmesh.bench.extraction;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Synthetic model-extraction query streams: what an attacker probing a model's decision surface
 * sends, small systematic steps around a few seed queries. Four families, each drawn with several
 * seeds (which pick the order, the seed queries and the substitutions):
 *
 * <ul>
 *   <li>attribute sweeps: one template ("What is the capital of X?") over a list of subjects, then
 *       the next attribute over the same list;
 *   <li>number ladders: a seed query whose number is incremented step by step;
 *   <li>word substitutions: seed sentences with one slot at a time replaced from a word list;
 *   <li>paraphrase ladders: a seed query rewritten one synonym at a time, then restarted.
 * </ul>
 *
 * <p>Each stream is {@link #LENGTH} queries long and has no exact repeats, since the monitor does
 * not count a repeated query.
 */
final class Sweeps {

  /** Queries per stream. */
  static final int LENGTH = 300;

  private static final List<String> COUNTRIES = List.of("France", "Germany", "Italy", "Spain", "Portugal", "Poland",
      "Austria", "Hungary", "Greece", "Sweden", "Norway", "Finland", "Denmark", "Ireland", "Belgium", "the Netherlands",
      "Switzerland", "Czechia", "Slovakia", "Romania", "Bulgaria", "Serbia", "Croatia", "Ukraine", "Turkey", "Egypt",
      "Morocco", "Kenya", "Nigeria", "Ghana", "Ethiopia", "South Africa", "Brazil", "Argentina", "Chile", "Peru",
      "Colombia", "Mexico", "Canada", "Cuba", "Japan", "China", "India", "Pakistan", "Vietnam", "Thailand",
      "Indonesia", "Australia", "New Zealand", "Iran", "Iraq", "Saudi Arabia", "Israel", "Jordan", "Nepal",
      "Mongolia", "Kazakhstan", "Iceland", "Estonia", "Latvia");

  private static final List<String> ATTRIBUTES = List.of("What is the capital of %s?",
      "What is the population of %s?", "Which currency is used in %s?", "What language is spoken in %s?",
      "What is the largest city in %s?", "What is the national dish of %s?");

  private static final List<String> NUMBER_SEEDS = List.of("What is %d times 17?", "Is %d a prime number?",
      "Convert %d dollars to euros.", "How many days are there in %d weeks?", "Write the number %d in Roman numerals.");

  private static final List<String> SUBSTITUTION_SEEDS = List.of(
      "The {a} was {b} and the service was {c}.",
      "I found the {a} {b}, but the price was {c}.",
      "Review: the {a} felt {b} and I would call it {c}.");

  private static final List<String> NOUNS = List.of("movie", "hotel", "meal", "phone", "book", "laptop", "concert",
      "flight", "room", "car", "game", "album", "app", "course", "camera");
  private static final List<String> ADJECTIVES = List.of("great", "terrible", "fine", "awful", "excellent", "poor",
      "decent", "amazing", "bad", "okay", "wonderful", "mediocre", "horrible", "superb", "average", "disappointing",
      "pleasant", "boring", "fantastic", "dreadful");

  private static final List<String> LADDER_SEEDS = List.of(
      "please tell me how i can reset my account password quickly",
      "can you explain why the sky looks blue during the day",
      "what is the best way to cook rice without it getting sticky",
      "how do i transfer money from my savings account to checking");

  private static final Map<String, List<String>> SYNONYMS = Map.ofEntries(
      Map.entry("please", List.of("kindly", "could you", "pls")),
      Map.entry("tell", List.of("show", "explain to", "let")),
      Map.entry("how", List.of("in what way", "what steps")),
      Map.entry("reset", List.of("change", "recover", "restore")),
      Map.entry("account", List.of("profile", "login")),
      Map.entry("password", List.of("passcode", "credentials", "pin")),
      Map.entry("quickly", List.of("fast", "right now", "asap")),
      Map.entry("explain", List.of("describe", "clarify", "tell me")),
      Map.entry("why", List.of("for what reason", "how come")),
      Map.entry("sky", List.of("heavens", "atmosphere")),
      Map.entry("looks", List.of("appears", "seems")),
      Map.entry("blue", List.of("azure", "bluish")),
      Map.entry("day", List.of("daytime", "afternoon")),
      Map.entry("best", List.of("easiest", "ideal", "right")),
      Map.entry("way", List.of("method", "approach")),
      Map.entry("cook", List.of("make", "prepare", "boil")),
      Map.entry("rice", List.of("white rice", "basmati")),
      Map.entry("sticky", List.of("gummy", "mushy", "clumpy")),
      Map.entry("transfer", List.of("move", "send", "shift")),
      Map.entry("money", List.of("funds", "cash")),
      Map.entry("savings", List.of("deposit", "reserve")),
      Map.entry("checking", List.of("current account", "main account")));

  private Sweeps() {}

  /** Every family with every seed, by name, in a stable order. */
  static Map<String, List<String>> all(long[] seeds) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (long seed : seeds) {
      out.put("attribute-sweep/seed-" + seed, attributes(new Random(seed)));
      out.put("number-ladder/seed-" + seed, numbers(new Random(seed)));
      out.put("word-substitution/seed-" + seed, substitutions(new Random(seed)));
      out.put("paraphrase-ladder/seed-" + seed, paraphrases(new Random(seed)));
    }
    return out;
  }

  private static List<String> attributes(Random rnd) {
    List<String> subjects = new ArrayList<>(COUNTRIES);
    Collections.shuffle(subjects, rnd);
    List<String> templates = new ArrayList<>(ATTRIBUTES);
    Collections.shuffle(templates, rnd);
    List<String> out = new ArrayList<>();
    for (String t : templates) {
      for (String s : subjects) {
        if (out.size() == LENGTH) {
          return out;
        }
        out.add(String.format(t, s));
      }
    }
    return out;
  }

  private static List<String> numbers(Random rnd) {
    List<String> out = new ArrayList<>();
    int perSeed = LENGTH / NUMBER_SEEDS.size();
    for (String t : NUMBER_SEEDS) {
      int start = 1 + rnd.nextInt(900);
      for (int k = 0; k < perSeed; k++) {
        out.add(String.format(t, start + k));
      }
    }
    return out;
  }

  private static List<String> substitutions(Random rnd) {
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String noun = NOUNS.get(rnd.nextInt(NOUNS.size()));
    String b = ADJECTIVES.get(rnd.nextInt(ADJECTIVES.size()));
    String c = ADJECTIVES.get(rnd.nextInt(ADJECTIVES.size()));
    while (out.size() < LENGTH) {
      String template = SUBSTITUTION_SEEDS.get(rnd.nextInt(SUBSTITUTION_SEEDS.size()));
      // One slot changes per query: the attacker's step along one feature at a time.
      switch (rnd.nextInt(3)) {
        case 0 -> noun = NOUNS.get(rnd.nextInt(NOUNS.size()));
        case 1 -> b = ADJECTIVES.get(rnd.nextInt(ADJECTIVES.size()));
        default -> c = ADJECTIVES.get(rnd.nextInt(ADJECTIVES.size()));
      }
      String q = template.replace("{a}", noun).replace("{b}", b).replace("{c}", c);
      if (seen.add(q)) {
        out.add(q);
      }
    }
    return out;
  }

  private static List<String> paraphrases(Random rnd) {
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int guard = 0;
    while (out.size() < LENGTH && guard++ < 100 * LENGTH) {
      String[] words = LADDER_SEEDS.get(rnd.nextInt(LADDER_SEEDS.size())).split(" ");
      // A ladder: each rung swaps one more word for a synonym, so neighbours differ by one word.
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < words.length; i++) {
        if (SYNONYMS.containsKey(words[i])) {
          order.add(i);
        }
      }
      Collections.shuffle(order, rnd);
      for (int i : order) {
        List<String> syn = SYNONYMS.get(words[i]);
        words[i] = syn.get(rnd.nextInt(syn.size()));
        String q = String.join(" ", words);
        if (out.size() < LENGTH && seen.add(q)) {
          out.add(q);
        }
      }
    }
    return out;
  }
}
