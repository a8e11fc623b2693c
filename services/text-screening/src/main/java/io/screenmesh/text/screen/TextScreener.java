package io.screenmesh.text.screen;

import io.grpc.Deadline;
import io.screenmesh.common.v1.Backend;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.common.v1.TextSpan;
import io.screenmesh.common.v1.Verdict;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.services.common.Stages;
import io.screenmesh.services.common.engine.DetectionContext;
import io.screenmesh.services.common.engine.DetectorRegistry;
import io.screenmesh.services.common.engine.DynamicBatcher;
import io.screenmesh.services.common.engine.ModalityVerdict;
import io.screenmesh.text.decode.PayloadDecoder;
import io.screenmesh.text.embed.Embedder;
import io.screenmesh.text.embed.TextEmbedding;
import io.screenmesh.text.rules.InjectionRules;
import io.screenmesh.text.secrets.SecretDetector;
import io.screenmesh.text.unicode.Confusables;
import io.screenmesh.text.unicode.UnicodeNormalizer;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The text-screening engine, plain Java: checks each text's limits, runs the unicode stage once
 * (the normalized text with its offset map that every detector reads), embeds the batch's
 * normalized texts once when an embedding stage is configured ({@link TextEmbeddings}), runs the registered
 * {@link TextDetector}s over the batch, builds the sanitized text (hidden and bidi characters
 * removed, NFKC, secrets and personal data replaced by {@code [REDACTED:KIND]}) and the verdict
 * by the shared {@link ModalityVerdict} rule. Every finding's evidence is a {@code TextSpan}
 * into the caller's original text (UTF-16 and code point offsets, half-open).
 *
 * <p>NFKC can grow a text 18-fold (U+FDFA is one character and becomes 18): a sanitized or
 * normalized text longer than {@code maxOutputChars} is left out of the response, and
 * {@code sanitized_omitted} says so, so that one request cannot make a response too large for
 * its caller to receive.
 *
 * <p>Thread-safe; CPU-bound: run it off the event loop (the service feeds it through a
 * {@link DynamicBatcher}).
 */
public final class TextScreener {

  /** The service name reported in {@code ProcessingInfo}. */
  public static final String SERVICE = "text-screening";
  /** The default bound on sanitized and normalized text, in UTF-16 code units. */
  public static final int DEFAULT_MAX_OUTPUT_CHARS = 131_072;

  private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(TextScreener.class);

  private final ScreeningSettings settings;
  private final TextAnalyzer analyzer;
  private final DetectorRegistry<PreparedText> registry;
  private final ModalityVerdict verdict;
  private final Backend backend;
  private final int maxOutputChars;
  private final TextEmbeddings embeddings;

  /** A standalone screener with its own analyzer and every built-in detector enabled. */
  public TextScreener(ScreeningSettings settings) {
    this(settings, new Confusables());
  }

  /** A standalone screener sharing {@code confusables} (its SpoofChecker is costly to build). */
  public TextScreener(ScreeningSettings settings, Confusables confusables) {
    this(settings, analyzer(settings, confusables));
  }

  private TextScreener(ScreeningSettings settings, TextAnalyzer analyzer) {
    this(settings, analyzer, new DetectorRegistry<>(Modality.MODALITY_TEXT, builtIns(analyzer), Map.of(),
        DetectorRegistry.Settings.enabled(Duration.ofSeconds(10)), true), Backend.BACKEND_UNSPECIFIED,
        DEFAULT_MAX_OUTPUT_CHARS);
  }

  /**
   * The engine as the service builds it.
   *
   * @param settings limits and thresholds
   * @param analyzer the stages the detectors share
   * @param registry the detectors
   * @param backend the compute backend reported in responses
   * @param maxOutputChars the longest sanitized or normalized text returned
   */
  public TextScreener(ScreeningSettings settings, TextAnalyzer analyzer, DetectorRegistry<PreparedText> registry,
      Backend backend, int maxOutputChars) {
    this(settings, analyzer, registry, backend, maxOutputChars, TextEmbeddings.unavailable("embeddings are not configured"));
  }

  /**
   * The engine as the service builds it, with an embedding stage that runs once per batch before
   * the detectors (when {@code embeddings} has an embedder).
   *
   * @param settings limits and thresholds
   * @param analyzer the stages the detectors share
   * @param registry the detectors
   * @param backend the compute backend reported in responses
   * @param maxOutputChars the longest sanitized or normalized text returned
   * @param embeddings the embedding stage; the caller keeps ownership
   */
  public TextScreener(ScreeningSettings settings, TextAnalyzer analyzer, DetectorRegistry<PreparedText> registry,
      Backend backend, int maxOutputChars, TextEmbeddings embeddings) {
    if (maxOutputChars < 1) {
      throw new IllegalArgumentException("screenmesh.text.max-output-chars must be positive, got " + maxOutputChars);
    }
    this.settings = settings;
    this.analyzer = analyzer;
    this.registry = registry;
    this.verdict = new ModalityVerdict(settings.flagThreshold(), settings.blockThreshold(), settings.blockOnCritical());
    this.backend = backend;
    this.maxOutputChars = maxOutputChars;
    this.embeddings = java.util.Objects.requireNonNull(embeddings, "embeddings");
  }

  /** The analyzer of {@code settings}, whose stages the built-in detectors share. */
  public static TextAnalyzer analyzer(ScreeningSettings settings, Confusables confusables) {
    return new TextAnalyzer(new UnicodeNormalizer(confusables), new InjectionRules(), new SecretDetector(),
        new PayloadDecoder(settings.minBase64Length()), settings);
  }

  /** The built-in detectors over {@code analyzer}, for standalone use (the service gets them from CDI). */
  public static List<TextDetector> builtIns(TextAnalyzer analyzer) {
    return List.of(new UnicodeDetector(), new InjectionDetector(analyzer), new SecretsDetector(analyzer),
        new DecodeDetector(analyzer), new AdversarialSuffixDetector());
  }

  /** The embedding stage (one that says why it is unavailable when there is no embedder). */
  public TextEmbeddings embeddings() {
    return embeddings;
  }

  /** The detector registry. */
  public DetectorRegistry<PreparedText> registry() {
    return registry;
  }

  /**
   * Screens one request, alone.
   *
   * @throws ScreeningException RESOURCE_EXHAUSTED (TEXT_TOO_LARGE) over the length limit;
   *     INVALID_ARGUMENT (UNPAIRED_SURROGATE, ID_TOO_LONG) for text that is not valid Unicode
   *     or an over-long id
   */
  public ScreenTextResponse screen(ScreenTextRequest request) {
    List<Object> out = screenBatch(List.of(request), DetectionContext.NONE, 1);
    Object r = out.getFirst();
    if (r instanceof RuntimeException e) {
      throw e;
    }
    return (ScreenTextResponse) r;
  }

  /** The batcher's handler: screens a batch and answers each item. */
  public void handle(List<DynamicBatcher.Item<ScreenTextRequest, ScreenTextResponse>> batch) {
    Deadline earliest = null;
    List<ScreenTextRequest> requests = new ArrayList<>(batch.size());
    for (var item : batch) {
      requests.add(item.input());
      Deadline d = item.deadline();
      if (d != null) {
        earliest = earliest == null ? d : earliest.minimum(d);
      }
    }
    DetectionContext context = new DetectionContext(earliest, () -> batch.stream().noneMatch(i -> i.wanted()));
    List<Object> out = screenBatch(requests, context, batch.size());
    for (int i = 0; i < batch.size(); i++) {
      if (out.get(i) instanceof ScreenTextResponse r) {
        batch.get(i).complete(r);
      } else {
        batch.get(i).fail((Throwable) out.get(i));
      }
    }
  }

  // One answer per request, in order: a ScreenTextResponse, or the RuntimeException of a request
  // that cannot be screened (the others go on).
  private List<Object> screenBatch(List<ScreenTextRequest> requests, DetectionContext context, int batchSize) {
    int n = requests.size();
    List<Object> out = new ArrayList<>(n);
    List<PreparedText> prepared = new ArrayList<>(n);
    List<Stages> stages = new ArrayList<>(n);
    List<Integer> index = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ScreenTextRequest request = requests.get(i);
      Stages st = new Stages();
      try {
        st.time("validate", () -> {
          validate(request);
          return null;
        });
        String text = request.getText();
        prepared.add(new PreparedText(request, st.time("unicode", () -> analyzer.normalize(text)), Hits.codePointPrefix(text)));
        stages.add(st);
        index.add(i);
        out.add(null);
      } catch (RuntimeException e) {
        out.add(e);
      }
    }
    if (prepared.isEmpty()) {
      return out;
    }
    prepared = embed(prepared, stages);
    List<DetectorRegistry.Screened> screened = registry.run(prepared, context);
    for (int k = 0; k < prepared.size(); k++) {
      out.set(index.get(k), respond(prepared.get(k), screened.get(k), stages.get(k), batchSize));
    }
    return out;
  }

  // The embedding stage, once for the whole batch; its time is each text's "embed" stage. A
  // failure leaves the texts without embeddings, which the detectors that need them report as
  // their failure on each text (so the verdict rule fails closed), rather than failing the batch.
  private List<PreparedText> embed(List<PreparedText> prepared, List<Stages> stages) {
    if (embeddings.embedder() == null) {
      return prepared;
    }
    long t0 = System.nanoTime();
    List<PreparedText> out;
    try {
      out = embeddings.embed(prepared);
    } catch (RuntimeException e) {
      LOG.warnf(e, "the embedding stage failed on a batch of %d texts", prepared.size());
      out = prepared;
    }
    long took = System.nanoTime() - t0;
    for (Stages st : stages) {
      st.record("embed", took);
    }
    return out;
  }

  private ScreenTextResponse respond(PreparedText p, DetectorRegistry.Screened s, Stages stages, int batchSize) {
    List<Finding> findings = new ArrayList<>(s.findings());
    findings.sort(Comparator.comparingInt((Finding f) -> f.getEvidence().getTextSpan().getStartUtf16())
        .thenComparing(Finding::getDetector));
    Verdict v = stages.time("verdict", () -> verdict.decide(findings));
    ScreenTextResponse.Builder out = ScreenTextResponse.newBuilder()
        .setId(p.request().getId())
        .setVerdict(v)
        .addAllFindings(findings);
    String normalized = p.unicode().normalized().text();
    String sanitized = null;
    if (!p.request().getOmitSanitized() && normalized.length() <= maxOutputChars
        && p.unicode().cleaned().text().length() <= maxOutputChars) {
      sanitized = stages.time("sanitize", () -> sanitize(p.unicode().cleaned(), findings));
    }
    if (sanitized != null && sanitized.length() <= maxOutputChars) {
      out.setSanitizedText(sanitized).setNormalizedText(normalized);
    } else {
      out.setSanitizedOmitted(!p.text().isEmpty());
    }
    if (p.request().getWantEmbedding() && p.embedding() != null) {
      for (float x : wholeText(p.embedding())) {
        out.addEmbedding(x);
      }
      out.setEmbeddingModel(embeddings.embedder().modelSha256());
    }
    return out.setProcessing(ProcessingInfo.newBuilder()
            .setService(SERVICE)
            .addAllTimings(stages.timings())
            .addAllTimings(s.timings())
            .setBackend(backend)
            .addAllDetectors(s.runs())
            .setBatchSize(batchSize))
        .build();
  }

  /** One vector for the whole text: the mean of its windows' vectors, L2-normalized again. */
  static float[] wholeText(TextEmbedding e) {
    float[] sum = e.first().vector().clone();
    for (int w = 1; w < e.windows().size(); w++) {
      float[] v = e.windows().get(w).vector();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += v[i];
      }
    }
    double norm = Math.sqrt(Embedder.dot(sum, sum));
    for (int i = 0; i < sum.length; i++) {
      sum[i] = (float) (sum[i] / norm);
    }
    return sum;
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

  /**
   * {@code cleaned} with every secret or PII span (in original offsets) replaced by its label.
   * The spans come from the findings, whichever detector reported them.
   */
  static String sanitize(MappedText cleaned, List<Finding> findings) {
    List<Finding> redact = findings.stream()
        .filter(f -> f.getCategory() == Category.CATEGORY_SECRET || f.getCategory() == Category.CATEGORY_PII)
        .filter(f -> f.getEvidence().hasTextSpan())
        .sorted(Comparator.comparingInt(f -> f.getEvidence().getTextSpan().getStartUtf16()))
        .toList();
    String s = cleaned.text();
    if (redact.isEmpty()) {
      return s;
    }
    // Merge overlapping spans; the first label wins.
    List<int[]> ranges = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (Finding f : redact) {
      TextSpan span = f.getEvidence().getTextSpan();
      int[] last = ranges.isEmpty() ? null : ranges.getLast();
      if (last != null && span.getStartUtf16() < last[1]) {
        last[1] = Math.max(last[1], span.getEndUtf16());
      } else {
        ranges.add(new int[] {span.getStartUtf16(), span.getEndUtf16()});
        labels.add(SecretDetector.redactionLabel(f.getDetector()));
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
}
