package io.screenmesh.text.screen;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.services.common.Stages;
import io.screenmesh.text.decode.DecodeBudget;
import io.screenmesh.text.decode.EncodedPayload;
import io.screenmesh.text.decode.PayloadDecoder;
import io.screenmesh.text.rules.InjectionRules;
import io.screenmesh.text.secrets.SecretDetector;
import io.screenmesh.text.unicode.HiddenText;
import io.screenmesh.text.unicode.UnicodeNormalizer;
import io.screenmesh.text.unicode.UnicodeResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs the detectors over one text: the unicode stage first, then the injection rules and
 * the secret and PII formats on its normalized text, then decode-and-rescan of what is
 * hidden or encoded (tag characters, variation-selector runs, base64, hex, URL encoding,
 * rot13), recursively up to the configured depth. Findings from decoded content keep their
 * own category, carry a {@code decoded:…} source and point at the encoded run in the
 * analysed text; each decoded payload that yields findings adds one
 * {@link Category#CATEGORY_ENCODED_PAYLOAD} finding of its own. Thread-safe.
 */
public final class TextAnalyzer {

  /** What one analysis found. */
  public record Analysis(UnicodeResult unicode, List<Hit> hits) {}

  // Decoded content left unscreened flags the text (the default flag threshold) without blocking it.
  private static final float UNSCREENED_SCORE = 0.5f;

  private final UnicodeNormalizer unicode;
  private final InjectionRules rules;
  private final SecretDetector secrets;
  private final PayloadDecoder decoder;
  private final ScreeningSettings settings;

  /** An analyzer over the given detectors. */
  public TextAnalyzer(UnicodeNormalizer unicode, InjectionRules rules, SecretDetector secrets,
      PayloadDecoder decoder, ScreeningSettings settings) {
    this.unicode = unicode;
    this.rules = rules;
    this.secrets = secrets;
    this.decoder = decoder;
    this.settings = settings;
  }

  /**
   * Analyses {@code text}; spans of the returned hits are UTF-16 offsets into {@code text}.
   *
   * @param stages where to record stage timings, or null (nested analyses are not timed apart)
   */
  public Analysis analyze(String text, Stages stages) {
    return analyze(text, 0, newBudget(), stages);
  }

  /** A fresh decode budget for one text, all depths together. */
  public DecodeBudget newBudget() {
    return new DecodeBudget(settings.decodeMaxPayloads(), settings.decodeMaxChars());
  }

  /** The unicode stage: what every other stage reads. */
  public UnicodeResult normalize(String text) {
    return unicode.analyze(text);
  }

  /** The injection and jailbreak rules on the normalized text, in original offsets. */
  public List<Hit> ruleHits(UnicodeResult u) {
    List<Hit> hits = new ArrayList<>();
    addMapped(rules.scan(u.normalized().text()), u.normalized(), hits);
    return hits;
  }

  /** The secret and PII formats on the normalized text, in original offsets. */
  public List<Hit> secretHits(UnicodeResult u) {
    List<Hit> hits = new ArrayList<>();
    addMapped(secrets.scan(u.normalized().text()), u.normalized(), hits);
    return hits;
  }

  /**
   * Decode-and-rescan of what {@code u} holds hidden or encoded (tag characters,
   * variation-selector runs, base64, hex, URL encoding, rot13), each payload analysed in full
   * up to the configured depth; hits point at the encoded run in the original text.
   */
  public List<Hit> decodeHits(UnicodeResult u, DecodeBudget budget) {
    return decodeHits(u, 0, budget);
  }

  private Analysis analyze(String text, int depth, DecodeBudget budget, Stages stages) {
    UnicodeResult u = time(stages, "unicode", () -> normalize(text));
    return analyze(u, depth, budget, stages);
  }

  private Analysis analyze(UnicodeResult u, int depth, DecodeBudget budget, Stages stages) {
    List<Hit> hits = new ArrayList<>(u.hits());
    time(stages, "rules", () -> hits.addAll(ruleHits(u)));
    time(stages, "secrets", () -> hits.addAll(secretHits(u)));
    time(stages, "decode", () -> hits.addAll(decodeHits(u, depth, budget)));
    return new Analysis(u, hits);
  }

  private List<Hit> decodeHits(UnicodeResult u, int depth, DecodeBudget budget) {
    List<Hit> hits = new ArrayList<>();
    MappedText norm = u.normalized();
    String n = norm.text();
    if (depth >= settings.decodeMaxDepth()) {
      // One more layer would be screened by no one: nesting past the depth is reported, not passed.
      if (!u.hidden().isEmpty() || !decoder.find(n, new DecodeBudget(1, settings.decodeMaxChars())).isEmpty()) {
        hits.add(unscreened(norm, "content nested more than " + settings.decodeMaxDepth()
            + " encodings deep holds another encoded or hidden layer; it was not screened"));
      }
      return hits;
    }
    for (HiddenText h : u.hidden()) {
      if (budget.take(h.text().length())) {
        rescan(h.text(), h.start(), h.end(), h.source(), depth + 1, budget, hits);
      }
    }
    for (EncodedPayload p : decoder.find(n, budget)) {
      rescan(p.decoded(), norm.originalStart(p.start()), norm.originalEnd(p.end()), "decoded:" + p.encoding(),
          depth + 1, budget, hits);
    }
    // The caller's own text is bounded by the text limit; a rot13 rescan of decoded content is
    // work the decoding added, so it is paid from the same budget as the content itself.
    if (rules.mayHoldRot13(n) && (depth == 0 || budget.spend(n.length()))) {
      for (Hit h : rules.scan(PayloadDecoder.rot13(n))) {
        int s = norm.originalStart(h.start());
        int e = norm.originalEnd(h.end());
        wrap(List.of(h), s, e, "decoded:rot13", h.excerpt(), hits);
      }
    }
    if (depth == 0 && budget.unreportedShortfall()) {
      hits.add(unscreened(norm, "the text holds more hidden or encoded content than the decode budget ("
          + settings.decodeMaxPayloads() + " payloads, " + settings.decodeMaxChars()
          + " characters) covers; what was past it was not screened"));
    }
    return hits;
  }

  // The whole analysed text, flagged (not blocked) for content the decoder could not screen. No
  // excerpt: the text's first characters are not evidence, and could hold a secret.
  private static Hit unscreened(MappedText norm, String why) {
    return new Hit("text.decode.unscreened", Category.CATEGORY_ENCODED_PAYLOAD, Severity.SEVERITY_MEDIUM,
        UNSCREENED_SCORE, 0, norm.originalLength(), "", "", why);
  }

  /**
   * Analyses decoded content that the budget took by its decoded length. Every stage after the
   * unicode one reads the normalized text, and NFKC can multiply the characters (U+FDFA becomes
   * 18), so what normalization adds is charged too: otherwise a payload of a few thousand
   * characters buys a rescan of many times the budget. Content whose growth does not fit is not
   * rescanned but reported, so that the policy decides on content it could not screen.
   */
  private void rescan(String decoded, int start, int end, String source, int depth, DecodeBudget budget,
      List<Hit> into) {
    UnicodeResult u = normalize(decoded);
    int growth = u.normalized().text().length() - decoded.length();
    if (growth > 0 && !budget.spend(growth)) {
      budget.reported();
      String encoding = source.substring("decoded:".length());
      into.add(new Hit("text.decode." + encoding, Category.CATEGORY_ENCODED_PAYLOAD, Severity.SEVERITY_MEDIUM,
          UNSCREENED_SCORE, start, end, source, Hit.excerptOf(decoded), encoding + " content normalizes to "
          + u.normalized().text().length() + " characters, past the decode budget; it was not screened"));
      return;
    }
    wrap(analyze(u, depth, budget, null).hits(), start, end, source, decoded, into);
  }

  private static Void addMapped(List<Hit> found, MappedText norm, List<Hit> into) {
    for (Hit h : found) {
      into.add(h.relocate(norm.originalStart(h.start()), norm.originalEnd(h.end()), h.source()));
    }
    return null;
  }

  // Inner hits point at the encoded run [start, end) and say how they were decoded.
  private static void wrap(List<Hit> inner, int start, int end, String source, String decoded, List<Hit> into) {
    float score = 0f;
    Severity severity = Severity.SEVERITY_UNSPECIFIED;
    Set<String> categories = new LinkedHashSet<>();
    List<Hit> moved = new ArrayList<>();
    for (Hit h : inner) {
      if (h.severity().getNumber() <= Severity.SEVERITY_INFO.getNumber()) {
        continue;
      }
      String chained = h.source().isEmpty() ? source : source + "/" + h.source().substring("decoded:".length());
      moved.add(h.relocate(start, end, chained));
      if (h.category() != Category.CATEGORY_ENCODED_PAYLOAD) {
        categories.add(categoryName(h.category()));
      }
      score = Math.max(score, h.score());
      if (h.severity().getNumber() > severity.getNumber()) {
        severity = h.severity();
      }
    }
    if (moved.isEmpty()) {
      return;
    }
    String encoding = source.substring("decoded:".length());
    into.add(new Hit("text.decode." + encoding, Category.CATEGORY_ENCODED_PAYLOAD, severity, score, start, end,
        source, Hit.excerptOf(decoded), encoding + " content decodes to text with findings: "
        + String.join(", ", categories)));
    into.addAll(moved);
  }

  private static String categoryName(Category c) {
    return c.name().substring("CATEGORY_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }

  private static <T> T time(Stages stages, String stage, Supplier<T> work) {
    if (stages == null) {
      return work.get();
    }
    return stages.time(stage, work);
  }
}
