package io.screenmesh.image.adversarial;

import io.grpc.Context;
import io.screenmesh.image.DecodedImage;
import io.screenmesh.image.ImageLimits;
import io.screenmesh.image.SafeImageDecoder;
import io.screenmesh.image.detectors.HiddenSignalDetector;
import io.screenmesh.image.hidden.HiddenSignalBaseline;
import io.screenmesh.kernels.Squeeze;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code ./screenmesh calibrate}: scores benign images with the squeeze-based adversarial
 * detector's model and writes the threshold at a target false-positive rate, bound to the
 * model's SHA-256, for {@code screenmesh.image.detectors.adversarial.threshold-file}.
 *
 * <pre>
 * calibrate [--detector adversarial] --model M --benign DIR-or-FILE --fpr 0.05 --out F --height H --width W --channels C
 *           [--layout nchw|nhwc] [--scale S] [--mean M[,M,M]] [--std S[,S,S]] [--output logits|probabilities]
 *           [--squeezers bit-depth:5,median:2] [--threads N] [--eval NAME=DIR-or-FILE]... [--throughput true]
 * calibrate --detector hidden-signal --benign DIR-or-FILE --fpr 0.01 --out F [--eval NAME=DIR-or-FILE]...
 * </pre>
 *
 * The second form measures the hidden-signal detector's baseline instead
 * ({@link HiddenSignalBaseline}: one threshold per statistic), for
 * {@code screenmesh.image.detectors.hidden-signal.baseline-file}.
 *
 * {@code --benign} and {@code --eval} take a folder (its images, recursively) or a text file
 * listing image paths, one a line. Each {@code --eval} set is scored against the new threshold
 * and its detection rate printed (for adversarial sets; for benign ones it is the FPR). Images are
 * decoded as the service decodes them, under its default limits.
 */
public final class Calibrate {

  private static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "gif", "bmp");
  private static final int BATCH = 64;

  private Calibrate() {}

  /** Runs the command; exits 2 on a usage error and 1 on a failure. */
  public static void main(String[] args) {
    try {
      System.exit(run(args, System.out));
    } catch (IllegalArgumentException | UncheckedIOException e) {
      System.err.println("calibrate: " + e.getMessage());
      System.exit(2);
    }
  }

  /**
   * Runs the command, printing to {@code out}.
   *
   * @return the exit status
   * @throws IllegalArgumentException on a usage error
   */
  public static int run(String[] args, PrintStream out) {
    Map<String, String> keys = new LinkedHashMap<>();
    Map<String, Path> evals = new LinkedHashMap<>();
    Path benign = null;
    Path target = null;
    double fpr = 0.05;
    boolean throughput = false;
    String detector = "adversarial";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --flag value, got " + a + "\n" + usage());
      }
      String v = args[++i];
      switch (a.substring(2)) {
        case "benign" -> benign = Path.of(v);
        case "out" -> target = Path.of(v);
        case "fpr" -> fpr = Double.parseDouble(v);
        case "detector" -> detector = v;
        case "throughput" -> throughput = Boolean.parseBoolean(v);
        case "eval" -> {
          int eq = v.indexOf('=');
          if (eq < 1) {
            throw new IllegalArgumentException("--eval takes NAME=DIR-or-FILE, got " + v);
          }
          evals.put(v.substring(0, eq), Path.of(v.substring(eq + 1)));
        }
        case "model", "height", "width", "channels", "layout", "scale", "mean", "std", "output", "squeezers",
            "threads" -> keys.put(a.substring(2), v);
        default -> throw new IllegalArgumentException("unknown flag " + a + "\n" + usage());
      }
    }
    if (detector.equals("hidden-signal") && benign != null && target != null) {
      return hiddenSignal(benign, fpr, target, evals, out);
    }
    if (!detector.equals("adversarial")) {
      throw new IllegalArgumentException("--detector must be adversarial or hidden-signal, got " + detector);
    }
    if (benign == null || target == null || !keys.containsKey("model")) {
      throw new IllegalArgumentException("--model, --benign and --out are required\n" + usage());
    }
    ClassifierConfig config = ClassifierConfig.from(keys).orElseThrow();
    try (OnnxClassifier classifier = new OnnxClassifier(config)) {
      FeatureSqueezeScorer scorer = new FeatureSqueezeScorer(classifier, Squeeze.get());
      long t0 = System.nanoTime();
      List<Path> benignFiles = images(benign);
      float[] scores = score(scorer, benignFiles);
      long nanos = System.nanoTime() - t0;
      Calibration c = Calibration.at(scores, fpr, classifier.sha256(), Squeezer.format(config.squeezers()));
      c.write(target);
      out.printf(Locale.ROOT, "model %s sha256 %s, squeezers %s, backend %s%n", config.model(), classifier.sha256(),
          c.squeezers(), Squeeze.get().backend().id());
      out.printf(Locale.ROOT, "benign %d images: threshold %.4f at target FPR %.3f (benign FPR %.4f), %.0f images/s%n",
          c.benignCount(), c.threshold(), fpr, c.benignFpr(), scores.length / (nanos / 1e9));
      for (Map.Entry<String, Path> e : evals.entrySet()) {
        float[] s = score(scorer, images(e.getValue()));
        int above = 0;
        for (float v : s) {
          if (c.flags(v)) {
            above++;
          }
        }
        out.printf(Locale.ROOT, "eval %s: %d of %d above the threshold (%.1f%%)%n", e.getKey(), above, s.length,
            100.0 * above / Math.max(1, s.length));
      }
      if (throughput) {
        throughput(scorer, decode(benignFiles), out);
      }
      out.println("wrote " + target);
    }
    return 0;
  }

  /**
   * Prints the scorer's throughput (resize, squeeze, one classifier run over originals and
   * variants; no decoding) at batch sizes 1, 8, 32 and 128 over the decoded benign images, after
   * one warm-up pass per size.
   */
  private static void throughput(FeatureSqueezeScorer scorer, List<DecodedImage> images, PrintStream out) {
    for (int size : new int[] {1, 8, 32, 128}) {
      for (int pass = 0; pass < 2; pass++) {
        long t0 = System.nanoTime();
        int done = 0;
        for (int from = 0; from + size <= images.size(); from += size) {
          scorer.scores(images.subList(from, from + size));
          done += size;
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (pass == 1) {
          out.printf(Locale.ROOT, "throughput batch %d: %.0f images/s (%d images, %.2f ms per batch)%n", size,
              done / s, done, 1e3 * s / Math.max(1, done / size));
        }
      }
    }
  }

  private static int hiddenSignal(Path benign, double fpr, Path target, Map<String, Path> evals, PrintStream out) {
    List<DecodedImage> images = decode(images(benign));
    HiddenSignalBaseline b = HiddenSignalBaseline.calibrate(images, fpr);
    b.write(target, "screenmesh calibrate --detector hidden-signal: " + images.size() + " benign images, FPR " + fpr);
    out.printf(Locale.ROOT, "benign %d images: chi-square %.4f, RS rate %.4f, flat noise %.4f at target FPR %.3f%n",
        images.size(), b.chiSquare(), b.rsRate(), b.flatNoise(), fpr);
    HiddenSignalDetector detector = new HiddenSignalDetector(b);
    for (Map.Entry<String, Path> e : evals.entrySet()) {
      List<DecodedImage> set = decode(images(e.getValue()));
      long flagged = set.stream().filter(im -> !detector.detect(im).findings().isEmpty()).count();
      out.printf(Locale.ROOT, "eval %s: %d of %d flagged (%.1f%%)%n", e.getKey(), flagged, set.size(),
          100.0 * flagged / Math.max(1, set.size()));
    }
    out.println("wrote " + target);
    return 0;
  }

  private static List<DecodedImage> decode(List<Path> files) {
    SafeImageDecoder decoder = new SafeImageDecoder(ImageLimits.DEFAULTS);
    List<DecodedImage> out = new ArrayList<>(files.size());
    for (Path f : files) {
      out.add(decode(decoder, f));
    }
    return out;
  }

  private static DecodedImage decode(SafeImageDecoder decoder, Path f) {
    try {
      return decoder.decode(Files.readAllBytes(f), Context.ROOT);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f, e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot decode " + f + ": " + e.getMessage(), e);
    }
  }

  /** Scores images in batches of {@value #BATCH}. */
  static float[] score(FeatureSqueezeScorer scorer, List<Path> files) {
    SafeImageDecoder decoder = new SafeImageDecoder(ImageLimits.DEFAULTS);
    float[] out = new float[files.size()];
    for (int from = 0; from < files.size(); from += BATCH) {
      List<DecodedImage> batch = new ArrayList<>(BATCH);
      for (Path f : files.subList(from, Math.min(files.size(), from + BATCH))) {
        batch.add(decode(decoder, f));
      }
      float[] s = scorer.scores(batch);
      System.arraycopy(s, 0, out, from, s.length);
    }
    return out;
  }

  /** The images of a folder (recursively, sorted) or of a list file. */
  static List<Path> images(Path where) {
    try {
      if (Files.isDirectory(where)) {
        try (Stream<Path> s = Files.walk(where)) {
          List<Path> found = s.filter(Files::isRegularFile).filter(Calibrate::isImage).sorted().toList();
          if (found.isEmpty()) {
            throw new IllegalArgumentException("no images (" + IMAGE_EXTENSIONS + ") under " + where);
          }
          return found;
        }
      }
      if (isImage(where)) {
        return List.of(where);
      }
      Path base = where.toAbsolutePath().getParent();
      return Files.readAllLines(where).stream().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .map(base::resolve).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + where, e);
    }
  }

  private static boolean isImage(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static String usage() {
    return "usage: ./screenmesh calibrate --model M.onnx --benign DIR-or-FILE --fpr 0.05 --out F"
        + " --height H --width W --channels 1|3 [--layout nchw|nhwc] [--scale S] [--mean M] [--std S]"
        + " [--output logits|probabilities] [--squeezers bit-depth:5,median:2] [--eval NAME=DIR]...\n"
        + "       ./screenmesh calibrate --detector hidden-signal --benign DIR-or-FILE --fpr 0.01 --out F [--eval NAME=DIR]...";
  }
}
