package io.screenmesh.text.suffix;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Trains the gibberish model: {@code --benign FILE} (one benign text a line) is counted,
 * {@code --heldout FILE} (benign texts kept out of training) fixes the threshold, and the model
 * is written to {@code --out FILE}. The thresholds are the highest window score of any held-out
 * text, and the highest score of a held-out text's final window, each plus {@code --margin}
 * bits (default 0.5): no held-out benign text has a window over them.
 * Run by {@code scripts/train-suffix-model.sh}, which splits the shared data.
 */
public final class SuffixModelTrainer {

  private SuffixModelTrainer() {}

  /**
   * Trains and writes the model; prints what it measured.
   *
   * @throws IOException when a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    Path benign = null;
    Path heldout = null;
    Path out = null;
    float margin = 0.5f;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--benign" -> benign = Path.of(args[i + 1]);
        case "--heldout" -> heldout = Path.of(args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        case "--margin" -> margin = Float.parseFloat(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (benign == null || heldout == null || out == null) {
      throw new IllegalArgumentException("usage: --benign FILE --heldout FILE --out FILE [--margin BITS]");
    }
    CharNgramModel.Trainer trainer = new CharNgramModel.Trainer();
    List<String> train = Files.readAllLines(benign, StandardCharsets.UTF_8);
    train.forEach(trainer::add);
    // Unthresholded first (every window is a span), to score the held-out texts.
    CharNgramModel raw = trainer.build(0f, Float.MAX_VALUE);
    GibberishScanner probe = new GibberishScanner(raw);
    List<String> held = Files.readAllLines(heldout, StandardCharsets.UTF_8);
    float[] anywhere = new float[held.size()];
    float[] tail = new float[held.size()];
    for (int i = 0; i < held.size(); i++) {
      anywhere[i] = (float) probe.scan(held.get(i)).stream().mapToDouble(GibberishScanner.Span::bitsPerChar)
          .max().orElse(0);
      tail[i] = probe.tailScore(held.get(i));
    }
    Arrays.sort(anywhere);
    Arrays.sort(tail);
    CharNgramModel model = raw.withThresholds(anywhere[anywhere.length - 1] + margin, tail[tail.length - 1] + margin);
    try (OutputStream o = Files.newOutputStream(out)) {
      model.write(o);
    }
    System.out.printf("trained on %d texts: %d n-grams (order %d), %d bytes written to %s%n", train.size(),
        model.size(), CharNgramModel.ORDER, Files.size(out), out);
    System.out.printf("held-out %d texts, highest window (mean bits/char): median %.2f, p99 %.2f, max %.2f;"
        + " threshold %.2f%n", held.size(), anywhere[anywhere.length / 2], anywhere[(int) (anywhere.length * 0.99)],
        anywhere[anywhere.length - 1], model.threshold());
    System.out.printf("held-out final windows: median %.2f, p99 %.2f, max %.2f; suffix threshold %.2f%n",
        tail[tail.length / 2], tail[(int) (tail.length * 0.99)], tail[tail.length - 1], model.suffixThreshold());
  }
}
