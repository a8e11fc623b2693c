package io.screenmesh.image.eval;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.image.DecodedImage;
import io.screenmesh.image.ImageConfig;
import io.screenmesh.image.ImageEngine;
import io.screenmesh.image.ImageLimits;
import io.screenmesh.image.ImageSqueeze;
import io.screenmesh.image.SafeImageDecoder;
import io.screenmesh.image.detectors.OcrDetector;
import io.screenmesh.image.detectors.QrCodeDetector;
import io.screenmesh.image.metadata.MetadataExtractor;
import io.screenmesh.image.ocr.OcrReader;
import io.screenmesh.image.ocr.OcrText;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.kernels.AccelerationProviders;
import io.screenmesh.kernels.Squeeze;
import io.screenmesh.nativ.tesseract.Tesseract;
import io.screenmesh.nativ.tesseract.TesseractLibrary;
import io.screenmesh.services.common.ComputeBackend;
import io.screenmesh.services.common.DerivedTextScreener;
import io.screenmesh.services.common.engine.DetectorRegistry;
import io.screenmesh.services.common.engine.ModalityVerdict;
import io.screenmesh.services.common.testing.PackagedService;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.TextOrigin;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Evaluates image-screening's OCR and QR detectors on the set that
 * {@code scripts/make-image-data.py} renders: the verdict on every image of a split (through the
 * image engine with a real text-screening, started here from its packaged jar), text-screening's
 * own verdict on each image's text (the ceiling OCR can reach), TPR and FPR by kind, category,
 * source and style, the misses by name, the engine's latency per image, and OCR word accuracy
 * by font size and contrast. Run by {@code bench/image-ocr-eval.sh}.
 *
 * <pre>OcrEval DATA_DIR SPLIT [LIMIT_PER_KIND [trace]]</pre>
 *
 * <p>With {@code trace}, no verdicts: each image's OCR passes, what they found and the share of
 * its words read (for tuning the passes on the dev split).
 */
public final class OcrEval {

  private OcrEval() {}

  /** One row of manifest.tsv. */
  record Item(String file, String split, String kind, int label, String category, String source, String size,
      String colour, String rotation, String layout, String text) {}

  /** What the evaluation saw for one item. */
  record Outcome(Item item, boolean flagged, boolean unscreened, boolean oracleFlagged, long nanos, String reasons) {}

  /** Runs the evaluation and prints its report. */
  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    String split = args[1];
    int limit = args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE;
    List<Item> items = read(data.resolve("manifest.tsv"), split, limit);
    System.out.printf(Locale.ROOT, "OcrEval: %d items of split %s from %s; Tesseract %s, OpenMP thread limit %d; load %s%n",
        items.size(), split, data, TesseractLibrary.load().version(), TesseractLibrary.load().ompThreadLimit(), load());
    if (args.length > 3 && args[3].equals("trace")) {
      trace(data, items);
      return;
    }
    List<Item> verdictItems = items.stream().filter(i -> !i.kind().equals("ocr")).toList();
    List<Item> ocrItems = items.stream().filter(i -> i.kind().equals("ocr")).toList();
    if (!ocrItems.isEmpty()) {
      wordAccuracy(data, ocrItems);
    }
    if (verdictItems.isEmpty()) {
      return;
    }
    try (PackagedService text = PackagedService.start(PackagedService.jarOf("text-screening"), Map.of(),
        Duration.ofSeconds(120))) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", text.port()).usePlaintext().build();
      try {
        verdicts(data, verdictItems, channel);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static void verdicts(Path data, List<Item> items, ManagedChannel channel) throws IOException {
    DerivedTextScreener screener = new DerivedTextScreener(channel, Duration.ofSeconds(10));
    OcrDetector ocr = new OcrDetector(screener, EvalOcrConfig.DEFAULTS);
    if (!ocr.availability().available()) {
      throw new IllegalStateException(ocr.availability().reason());
    }
    var provider = AccelerationProviders.create("java");
    ImageEngine engine = new ImageEngine(new SafeImageDecoder(ImageLimits.DEFAULTS),
        new MetadataExtractor(32, 16384, 1 << 20),
        new DetectorRegistry<>(Modality.MODALITY_IMAGE, List.of(ocr, new QrCodeDetector(screener)), Map.of(),
            DetectorRegistry.Settings.enabled(Duration.ofSeconds(10))),
        new ImageSqueeze(Squeeze.on(provider), ImageSqueeze.Settings.DEFAULTS),
        ComputeBackend.toProto(provider.backend()), new ImageEngine.Options(ImageEngine.Sanitize.SQUEEZE,
            ModalityVerdict.DEFAULT));
    var textStub = TextScreeningServiceGrpc.newBlockingStub(channel);
    // Warm the JIT and the OCR engines on the first images, outside the figures.
    for (Item i : items.subList(0, Math.min(3, items.size()))) {
      engine.screen(request(data, i, true));
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (Item i : items) {
      ScreenImageRequest req = request(data, i, true);
      long t0 = System.nanoTime();
      ScreenImageResponse r = engine.screen(req);
      long nanos = System.nanoTime() - t0;
      // Flagged for what it says, not only because a detector ran out of time (fail closed):
      // those are counted apart, as unscreened.
      boolean unscreened = r.getVerdict().getReasonsList().stream()
          .anyMatch(f -> f.getCategory() == Category.CATEGORY_SCREENING_UNAVAILABLE);
      boolean flagged = r.getVerdict().getDecision() != Decision.DECISION_ALLOW && r.getVerdict().getReasonsList()
          .stream().anyMatch(f -> f.getCategory() != Category.CATEGORY_SCREENING_UNAVAILABLE);
      boolean oracle = !i.text().isEmpty() && textStub.withDeadlineAfter(10, TimeUnit.SECONDS)
          .screenText(ScreenTextRequest.newBuilder().setId("o").setText(i.text()).setOrigin(TextOrigin.TEXT_ORIGIN_OCR)
              .build()).getVerdict().getDecision() != Decision.DECISION_ALLOW;
      StringBuilder reasons = new StringBuilder();
      for (Finding f : r.getVerdict().getReasonsList()) {
        reasons.append(f.getDetector()).append('/').append(f.getCategory().name().replace("CATEGORY_", "")).append(' ');
      }
      outcomes.add(new Outcome(i, flagged, unscreened, oracle, nanos, reasons.toString().strip()));
    }
    ocr.close();
    report(outcomes);
  }

  private static ScreenImageRequest request(Path data, Item i, boolean omit) throws IOException {
    return ScreenImageRequest.newBuilder().setId(i.file()).setData(ByteString.copyFrom(Files.readAllBytes(
        data.resolve(i.file())))).setOmitSanitized(omit).build();
  }

  private static void report(List<Outcome> all) {
    System.out.println();
    System.out.println("## Verdicts: flagged = FLAG or BLOCK for a finding other than SCREENING_UNAVAILABLE;");
    System.out.println("## unscreened = a detector ran out of time or failed (the verdict rule blocks those: fail closed);");
    System.out.println("## oracle = text-screening's verdict on the image's text itself");
    table("kind", all, o -> o.item().kind());
    table("kind/category", all, o -> o.item().kind() + "/" + o.item().category());
    table("kind/source", all, o -> o.item().kind() + "/" + o.item().source());
    List<Outcome> typo = all.stream().filter(o -> o.item().kind().startsWith("typo")).toList();
    table("typo by size", typo, o -> String.format(Locale.ROOT, "%3s px", o.item().size()));
    table("typo by colour", typo, o -> o.item().colour());
    table("typo by rotation", typo, o -> o.item().rotation());
    table("typo by layout", typo, o -> o.item().layout());
    System.out.println();
    System.out.println("## Latency of the engine per image (decode, squeeze, OCR, QR, text-screening; no gRPC)");
    Map<String, List<Long>> byKind = new TreeMap<>();
    for (Outcome o : all) {
      byKind.computeIfAbsent(o.item().kind(), k -> new ArrayList<>()).add(o.nanos());
      byKind.computeIfAbsent("all", k -> new ArrayList<>()).add(o.nanos());
    }
    byKind.forEach((k, v) -> {
      long[] s = v.stream().mapToLong(Long::longValue).sorted().toArray();
      System.out.printf(Locale.ROOT, "  %-14s n=%4d  p50 %6.1f ms  p90 %6.1f ms  p99 %6.1f ms  max %6.1f ms%n", k, s.length,
          pct(s, 0.5), pct(s, 0.9), pct(s, 0.99), s[s.length - 1] / 1e6);
    });
    System.out.println();
    System.out.println("## Misses: attacks not flagged whose text text-screening flags (OCR's misses)");
    all.stream().filter(o -> o.item().label() == 1 && !o.flagged() && o.oracleFlagged()).forEach(o -> miss(o, ""));
    System.out.println();
    System.out.println("## False positives: benign images flagged");
    all.stream().filter(o -> o.item().label() == 0 && o.flagged()).forEach(o -> miss(o, o.reasons()));
  }

  private static void miss(Outcome o, String why) {
    Item i = o.item();
    String t = i.text().length() > 70 ? i.text().substring(0, 70) + "…" : i.text();
    System.out.printf(Locale.ROOT, "  %s %s %spx %s rot%s %s: %s %s%n", i.file(), i.source(), i.size(), i.colour(),
        i.rotation(), i.layout(), t, why.isEmpty() ? "" : "[" + why + "]");
  }

  private static void table(String title, List<Outcome> outcomes, Function<Outcome, String> key) {
    Map<String, int[]> m = new TreeMap<>();
    for (Outcome o : outcomes) {
      // attacks, flagged attacks, oracle-flagged attacks, benign, flagged benign, oracle-flagged benign
      int[] c = m.computeIfAbsent(key.apply(o), k -> new int[7]);
      int base = o.item().label() == 1 ? 0 : 3;
      c[base]++;
      c[base + 1] += o.flagged() ? 1 : 0;
      c[base + 2] += o.oracleFlagged() ? 1 : 0;
      c[6] += o.unscreened() ? 1 : 0;
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "  %-34s %16s %16s %16s %16s %11s%n", title, "TPR image", "TPR oracle", "FPR image",
        "FPR oracle", "unscreened");
    m.forEach((k, c) -> System.out.printf(Locale.ROOT, "  %-34s %16s %16s %16s %16s %11s%n", k, rate(c[1], c[0]),
        rate(c[2], c[0]), rate(c[4], c[3]), rate(c[5], c[3]), c[6] + "/" + (c[0] + c[3])));
  }

  private static String rate(int k, int n) {
    return n == 0 ? "-" : String.format(Locale.ROOT, "%d/%d %5.1f%%", k, n, 100.0 * k / n);
  }

  private static double pct(long[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  /** Word accuracy: the share of the rendered words that OCR read, in order (LCS over normalized words). */
  private static void wordAccuracy(Path data, List<Item> items) throws IOException {
    OcrReader reader = new OcrReader(OcrReader.Settings.DEFAULTS);
    SafeImageDecoder decoder = new SafeImageDecoder(ImageLimits.DEFAULTS);
    Map<String, long[]> bySizeContrast = new TreeMap<>();
    Map<String, long[]> bySize = new TreeMap<>();
    try (Tesseract t = Tesseract.open(TesseractLibrary.load(), null, "eng")) {
      for (Item i : items) {
        DecodedImage img = decoder.decode(Files.readAllBytes(data.resolve(i.file())));
        OcrText read = reader.read(img, t, 10_000_000_000L);
        List<String> truth = words(i.text());
        int hit = lcs(truth, words(read.text()));
        String size = String.format(Locale.ROOT, "%2s px", i.size());
        for (var m : List.of(bySizeContrast, bySize)) {
          long[] c = m.computeIfAbsent(m == bySize ? size : size + " " + i.colour(), k -> new long[2]);
          c[0] += hit;
          c[1] += truth.size();
        }
      }
    }
    System.out.println("## OCR word accuracy (DejaVu Sans, 760x760, flat background) by size and contrast");
    bySizeContrast.forEach((k, c) -> System.out.printf(Locale.ROOT, "  %-14s %5d/%5d %6.1f%%%n", k, c[0], c[1],
        100.0 * c[0] / c[1]));
    System.out.println("  by size, all contrasts:");
    bySize.forEach((k, c) -> System.out.printf(Locale.ROOT, "  %-14s %5d/%5d %6.1f%%%n", k, c[0], c[1],
        100.0 * c[0] / c[1]));
  }

  private static void trace(Path data, List<Item> items) throws IOException {
    OcrReader reader = new OcrReader(OcrReader.Settings.DEFAULTS);
    SafeImageDecoder decoder = new SafeImageDecoder(ImageLimits.DEFAULTS);
    try (Tesseract t = Tesseract.open(TesseractLibrary.load(), null, "eng")) {
      for (Item i : items) {
        DecodedImage img = decoder.decode(Files.readAllBytes(data.resolve(i.file())));
        OcrText read = reader.read(img, t, 10_000_000_000L);
        List<String> truth = words(i.text());
        System.out.printf(Locale.ROOT, "%s %s %spx %s rot%s: read %d/%d words, %.0f ms, best %s%n", i.file(),
            i.kind(), i.size(), i.colour(), i.rotation(), lcs(truth, words(read.text())), truth.size(),
            read.nanos() / 1e6, read.pass());
        read.trace().forEach(l -> System.out.println("    " + l));
      }
    }
  }

  static List<String> words(String s) {
    return Arrays.stream(s.toLowerCase(Locale.ROOT).split("\\s+"))
        .map(w -> w.replaceAll("[^\\p{L}\\p{N}]", "")).filter(w -> !w.isEmpty()).toList();
  }

  static int lcs(List<String> a, List<String> b) {
    int[][] d = new int[a.size() + 1][b.size() + 1];
    for (int i = 1; i <= a.size(); i++) {
      for (int j = 1; j <= b.size(); j++) {
        d[i][j] = a.get(i - 1).equals(b.get(j - 1)) ? d[i - 1][j - 1] + 1 : Math.max(d[i - 1][j], d[i][j - 1]);
      }
    }
    return d[a.size()][b.size()];
  }

  private static List<Item> read(Path tsv, String split, int limitPerKind) throws IOException {
    List<Item> out = new ArrayList<>();
    Map<String, Integer> perKind = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(tsv);
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split("\t", -1);
      if (!c[1].equals(split)) {
        continue;
      }
      int n = perKind.merge(c[2], 1, Integer::sum);
      if (n <= limitPerKind) {
        out.add(new Item(c[0], c[1], c[2], Integer.parseInt(c[3]), c[4], c[5], c[6], c[7], c[8], c[9], c[10]));
      }
    }
    return out;
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "n/a";
    }
  }

  /** The OCR settings at their configuration defaults (ImageConfig.Ocr), for tools outside Quarkus. */
  record EvalOcrConfig(String language, Optional<String> dataPath, Duration budget, Optional<Integer> threads,
      float minWordConfidence, int smallWordHeight, int maxSide, int maxUpscaledSide) implements ImageConfig.Ocr {
    static final EvalOcrConfig DEFAULTS = new EvalOcrConfig("eng", Optional.empty(), Duration.ofMillis(1500),
        Optional.of(1), OcrReader.Settings.DEFAULTS.minWordConfidence(), OcrReader.Settings.DEFAULTS.smallWordHeight(),
        OcrReader.Settings.DEFAULTS.maxSide(), OcrReader.Settings.DEFAULTS.maxUpscaledSide());
  }
}
