package io.screenmesh.text.screen;

import io.screenmesh.common.v1.Backend;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.Evidence;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.common.v1.TextSpan;
import io.screenmesh.common.v1.Verdict;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.services.common.Stages;
import io.screenmesh.text.decode.PayloadDecoder;
import io.screenmesh.text.rules.InjectionRules;
import io.screenmesh.text.secrets.SecretDetector;
import io.screenmesh.text.unicode.Confusables;
import io.screenmesh.text.unicode.UnicodeNormalizer;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Screens one text end to end: checks the limits, runs the {@link TextAnalyzer}, turns its
 * hits into findings whose evidence is a {@code TextSpan} into the caller's original text
 * (UTF-16 and code point offsets, half-open), builds the sanitized text (hidden and bidi
 * characters removed, NFKC, secrets and personal data replaced by {@code [REDACTED:KIND]}) and
 * the verdict. Thread-safe; CPU-bound, so callers run it off the event loop.
 */
public final class TextScreener {

  /** The service name reported in {@code ProcessingInfo}. */
  public static final String SERVICE = "text-screening";

  private static final List<DetectorRun> DETECTORS = List.of(
      ran("text.unicode"), ran("text.injection"), ran("text.decode"), ran("text.secrets"),
      notRun("text.adversarial"), notRun("text.semantic"), notRun("text.learned-head"));

  private final ScreeningSettings settings;
  private final TextAnalyzer analyzer;
  private final VerdictPolicy policy;

  /** A screener with its own detectors, configured by {@code settings}. */
  public TextScreener(ScreeningSettings settings) {
    this(settings, new Confusables());
  }

  /** A screener sharing {@code confusables} (its SpoofChecker and cache are costly to build). */
  public TextScreener(ScreeningSettings settings, Confusables confusables) {
    this.settings = settings;
    this.analyzer = new TextAnalyzer(new UnicodeNormalizer(confusables), new InjectionRules(),
        new SecretDetector(), new PayloadDecoder(settings.minBase64Length()), settings);
    this.policy = new VerdictPolicy(settings);
  }

  /**
   * Screens {@code request}.
   *
   * @throws ScreeningException RESOURCE_EXHAUSTED (TEXT_TOO_LARGE) over the length limit;
   *     INVALID_ARGUMENT (UNPAIRED_SURROGATE, ID_TOO_LONG) for text that is not valid Unicode
   *     or an over-long id
   */
  public ScreenTextResponse screen(ScreenTextRequest request) {
    Stages stages = new Stages();
    String text = request.getText();
    stages.time("validate", () -> {
      validate(request);
      return null;
    });
    TextAnalyzer.Analysis a = analyzer.analyze(text, stages);
    List<Finding> findings = new ArrayList<>(a.hits().size());
    int[] cpPrefix = a.hits().isEmpty() ? null : codePointPrefix(text);
    a.hits().stream()
        .sorted(Comparator.comparingInt(Hit::start).thenComparing(Hit::detector))
        .forEach(h -> findings.add(toFinding(h, cpPrefix)));
    String sanitized = stages.time("sanitize", () -> sanitize(a.unicode().cleaned(), a.hits()));
    Verdict verdict = stages.time("verdict", () -> policy.decide(findings));
    return ScreenTextResponse.newBuilder()
        .setId(request.getId())
        .setVerdict(verdict)
        .addAllFindings(findings)
        .setSanitizedText(sanitized)
        .setNormalizedText(a.unicode().normalized().text())
        .setProcessing(ProcessingInfo.newBuilder()
            .setService(SERVICE)
            .addAllTimings(stages.timings())
            .setBackend(Backend.BACKEND_UNSPECIFIED) // no accelerated hot path runs in rule screening
            .addAllDetectors(DETECTORS))
        .build();
  }

  private void validate(ScreenTextRequest request) {
    String text = request.getText();
    if (text.length() > settings.maxTextLength()) {
      throw ScreeningException.tooLarge("TEXT_TOO_LARGE", "text has " + text.length()
          + " UTF-16 code units; the limit is " + settings.maxTextLength());
    }
    if (request.getId().length() > settings.maxIdLength()) {
      throw ScreeningException.invalid("ID_TOO_LONG", "id has " + request.getId().length()
          + " characters; the limit is " + settings.maxIdLength());
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
          continue;
        }
        throw ScreeningException.invalid("UNPAIRED_SURROGATE", "text has an unpaired surrogate at UTF-16 offset " + i);
      }
      if (Character.isLowSurrogate(c)) {
        throw ScreeningException.invalid("UNPAIRED_SURROGATE", "text has an unpaired surrogate at UTF-16 offset " + i);
      }
    }
  }

  // prefix[i] = number of code points in text[0, i); valid because the text has no lone surrogates.
  // Null when the text has no surrogate pairs: code point offsets are then the UTF-16 ones.
  private static int[] codePointPrefix(String text) {
    boolean pairs = false;
    for (int i = 0; i < text.length() && !pairs; i++) {
      pairs = Character.isSurrogate(text.charAt(i));
    }
    if (!pairs) {
      return null;
    }
    int[] prefix = new int[text.length() + 1];
    int cps = 0;
    for (int i = 0; i < text.length(); i++) {
      prefix[i] = cps;
      if (!Character.isLowSurrogate(text.charAt(i))) {
        cps++;
      }
    }
    prefix[text.length()] = cps;
    return prefix;
  }

  private static Finding toFinding(Hit h, int[] cpPrefix) {
    TextSpan span = TextSpan.newBuilder()
        .setStartUtf16(h.start())
        .setEndUtf16(h.end())
        .setStartCodePoint(cpPrefix == null ? h.start() : cpPrefix[h.start()])
        .setEndCodePoint(cpPrefix == null ? h.end() : cpPrefix[h.end()])
        .setSource(h.source())
        .build();
    return Finding.newBuilder()
        .setDetector(h.detector())
        .setCategory(h.category())
        .setScore(h.score())
        .setSeverity(h.severity())
        .setEvidence(Evidence.newBuilder().setTextSpan(span).setExcerpt(h.excerpt()))
        .setMessage(h.message())
        .setModality(Modality.MODALITY_TEXT)
        .build();
  }

  /** {@code cleaned} with every secret or PII span (in original offsets) replaced by its label. */
  static String sanitize(MappedText cleaned, List<Hit> hits) {
    List<Hit> redact = hits.stream()
        .filter(h -> h.category() == Category.CATEGORY_SECRET || h.category() == Category.CATEGORY_PII)
        .sorted(Comparator.comparingInt(Hit::start))
        .toList();
    String s = cleaned.text();
    if (redact.isEmpty()) {
      return s;
    }
    // Merge overlapping spans; the first label wins.
    List<int[]> ranges = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (Hit h : redact) {
      int[] last = ranges.isEmpty() ? null : ranges.getLast();
      if (last != null && h.start() < last[1]) {
        last[1] = Math.max(last[1], h.end());
      } else {
        ranges.add(new int[] {h.start(), h.end()});
        labels.add(SecretDetector.redactionLabel(h.detector()));
      }
    }
    StringBuilder out = new StringBuilder(s.length());
    int r = 0;
    int emitted = -1;
    for (int j = 0; j < s.length(); j++) {
      int o = cleaned.originalStart(j);
      while (r < ranges.size() && o >= ranges.get(r)[1]) {
        r++;
      }
      if (r < ranges.size() && o >= ranges.get(r)[0]) {
        if (emitted != r) {
          out.append(labels.get(r));
          emitted = r;
        }
        continue;
      }
      out.append(s.charAt(j));
    }
    return out.toString();
  }

  private static DetectorRun ran(String id) {
    return DetectorRun.newBuilder().setDetector(id).setRan(true).build();
  }

  private static DetectorRun notRun(String id) {
    return DetectorRun.newBuilder().setDetector(id).setRan(false).setReason("arrives in a later release").build();
  }
}
