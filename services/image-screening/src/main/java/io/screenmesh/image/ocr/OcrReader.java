package io.screenmesh.image.ocr;

import io.screenmesh.image.DecodedImage;
import io.screenmesh.nativ.tesseract.OcrPage;
import io.screenmesh.nativ.tesseract.OcrWord;
import io.screenmesh.nativ.tesseract.Tesseract;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the text of one image with Tesseract, in as few passes as the image needs: the
 * grayscale image contrast-stretched (and inverted when mostly dark) first; upscaled twice when
 * the words found are small or none are; turned upright when Tesseract's orientation detection
 * says the text is rotated, or, failing that, by trying the quarter turns while confidence stays
 * low. The best pass by confident letters wins. Every pass runs within what is left of the
 * image's budget; a pass that would start with too little left is not run and the result says
 * it is over budget.
 *
 * <p>Stateless; the engine passed to {@link #read} is used by one thread at a time.
 */
public final class OcrReader {

  /**
   * Tuning, read from {@code screenmesh.image.ocr.*}.
   *
   * @param minWordConfidence words below this confidence (0..100) are dropped as noise
   * @param smallWordHeight upscale twice when the median height of confident words is below this
   * @param maxSide images are shrunk so their longest side is at most this before OCR
   * @param maxUpscaledSide no upscaling when the upscaled image's longest side would pass this
   */
  public record Settings(float minWordConfidence, int smallWordHeight, int maxSide, int maxUpscaledSide) {
    /** The defaults. */
    public static final Settings DEFAULTS = new Settings(55f, 15, 2500, 2000);
  }

  /** A pass is not started with less than this left of the budget: it could not finish. */
  private static final long MIN_PASS_NANOS = 20_000_000L;
  /** Words with this many confident letters make a page "read" and stop further passes. */
  private static final int GOOD_LETTERS = 12;
  /** ... when their mean confidence is at least this (text turned over reads at 75-90). */
  private static final float GOOD_CONFIDENCE = 88f;
  /** A pass with this many word-like boxes saw text, whether or not it could read it. */
  private static final int TEXT_LIKE_WORDS = 4;
  private static final float ORIENTATION_CONFIDENCE = 1.5f;
  /** Caption pixels: at least this light (white and yellow fills, white outlines). */
  private static final int CAPTION_LEVEL = 200;
  private static final double MIN_CAPTION_SHARE = 0.002;
  /** Above this share of light pixels the image is a light page, not a photo with a caption. */
  private static final double MAX_CAPTION_SHARE = 0.5;
  /** Rendered text (flat or gradient backgrounds) is this smooth; photos are not. */
  private static final double DOCUMENT_SMOOTH_SHARE = 0.6;

  private final Settings settings;

  /** Creates a reader with {@code settings}. */
  public OcrReader(Settings settings) {
    this.settings = settings;
  }

  /**
   * Reads {@code image}.
   *
   * @param image the decoded pixels
   * @param engine the engine to use, by this thread alone for the call
   * @param budgetNanos the most time OCR may take for this image
   * @return the text, possibly empty, with whether the budget ran out
   */
  public OcrText read(DecodedImage image, Tesseract engine, long budgetNanos) {
    long start = System.nanoTime();
    long deadline = start + budgetNanos;
    GrayImage gray = GrayImage.of(image);
    double base = 1.0;
    int longest = Math.max(gray.width(), gray.height());
    if (longest > settings.maxSide()) {
      base = (double) settings.maxSide() / longest;
      gray = gray.scaled(base);
    }
    GrayImage plain = gray;
    gray = gray.stretched();
    boolean inverted = gray.darkBackground();
    if (inverted) {
      gray = gray.inverted();
    }
    Run run = new Run(engine, image.width(), image.height(), deadline, inverted);
    Pass best = run.pass(gray, base, 0, Tesseract.PSM_AUTO);
    if (best == null || good(best)) {
      return run.result(best, start);
    }
    GrayImage upright = gray;
    int degrees = 0;
    if (best.rawWords >= TEXT_LIKE_WORDS
        && (best.meanConfidence < GOOD_CONFIDENCE || best.confidentWords < 0.7 * best.rawWords)) {
      // Words that do not read well: text turned sideways or upside down. Orientation detection
      // names the turn; where it names none, upside down is tried (sideways lines Tesseract's
      // layout finds by itself).
      Tesseract.Orientation o = run.orientation(gray);
      int turn = o != null && o.degrees() != 0 && o.confidence() >= ORIENTATION_CONFIDENCE ? o.uprightTurn() : 180;
      Pass turned = run.pass(gray.rotated(turn), base, turn, Tesseract.PSM_AUTO);
      if (turned == null || turned.letters <= best.letters) {
        turned = turn == 180 ? null : run.pass(gray.rotated(180), base, 180, Tesseract.PSM_AUTO);
        turn = 180;
      }
      if (turned != null && turned.letters > best.letters) {
        best = turned;
        upright = gray.rotated(turn);
        degrees = turn;
      }
    }
    if (good(best)) {
      return run.result(best, start);
    }
    if (gray.smoothShare() >= DOCUMENT_SMOOTH_SHARE) {
      // Rendered text (flat or gradient background) that did not read: small text reads upscaled.
      if (Math.max(gray.width(), gray.height()) * 2 <= settings.maxUpscaledSide()) {
        best = better(best, run.pass(upright.scaled(2), base * 2, degrees, Tesseract.PSM_AUTO));
      }
    } else {
      double bright = plain.share(CAPTION_LEVEL);
      if (bright >= MIN_CAPTION_SHARE && bright <= MAX_CAPTION_SHARE) {
        // A photo. Captions drawn over photos are white, yellow or outlined in white: the light
        // pixels alone, as dark text on white, read where the busy photo around them defeats
        // Tesseract's binarization.
        best = better(best, run.pass(plain.layer(CAPTION_LEVEL), base, 0, Tesseract.PSM_SPARSE_TEXT));
      }
    }
    return run.result(best, start);
  }

  /**
   * Enough confident letters, read confidently, of a size Tesseract reads well: no other pass
   * could do much better.
   */
  private boolean good(Pass p) {
    return p.letters >= GOOD_LETTERS && p.meanConfidence >= GOOD_CONFIDENCE
        && p.confidentWords >= 0.7 * p.rawWords && p.medianHeight >= settings.smallWordHeight();
  }

  private static Pass better(Pass a, Pass b) {
    return b != null && b.letters > a.letters ? b : a;
  }

  /** One recognition pass's paragraphs, mapped back to the original image. */
  private record Pass(List<OcrText.Paragraph> paragraphs, int letters, int medianHeight, float meanConfidence,
      int confidentWords, int rawWords, String name) {}

  private final class Run {
    final Tesseract engine;
    final int width;
    final int height;
    final long deadline;
    final boolean inverted;
    int passes;
    boolean overBudget;
    final List<String> trace = new ArrayList<>();

    Run(Tesseract engine, int width, int height, long deadline, boolean inverted) {
      this.engine = engine;
      this.width = width;
      this.height = height;
      this.deadline = deadline;
      this.inverted = inverted;
    }

    /** True when another step may start; marks the run over budget when not. */
    boolean time() {
      if (deadline - System.nanoTime() < MIN_PASS_NANOS) {
        overBudget = true;
        return false;
      }
      return true;
    }

    Tesseract.Orientation orientation(GrayImage g) {
      if (!time()) {
        return null;
      }
      long t0 = System.nanoTime();
      Tesseract.Orientation o = engine.detectOrientation(g.pixels(), g.width(), g.height());
      trace.add(String.format(java.util.Locale.ROOT, "osd %s %.0f ms", o, (System.nanoTime() - t0) / 1e6));
      return o;
    }

    Pass pass(GrayImage g, double scale, int degrees, int pageSegMode) {
      if (!time()) {
        return null;
      }
      int limitMillis = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
      OcrPage page = engine.recognize(g.pixels(), g.width(), g.height(), pageSegMode, limitMillis);
      passes++;
      overBudget |= page.timedOut();
      boolean sparse = pageSegMode == Tesseract.PSM_SPARSE_TEXT;
      Pass p = toPass(page.words(), g, scale, degrees, sparse,
          (scale > 1 ? "x" + Math.round(scale * 10) / 10.0 + " " : "") + (degrees == 0 ? "" : "rot" + degrees + " ")
              + (sparse ? "light layer" : inverted ? "inverted" : "upright"));
      trace.add(String.format(java.util.Locale.ROOT, "%s: %d letters, median height %d, mean confidence %.0f, %d raw words, %.0f ms%s",
          p.name, p.letters, p.medianHeight, p.meanConfidence, p.rawWords, page.nanos() / 1e6, page.timedOut() ? " (timed out)" : ""));
      return p;
    }

    /**
     * Groups the confident words into paragraphs as Tesseract found them, or into one when the
     * pass was sparse (Tesseract makes each word a block of its own there).
     */
    Pass toPass(List<OcrWord> words, GrayImage g, double scale, int degrees, boolean sparse, String name) {
      Map<String, List<OcrWord>> byParagraph = new LinkedHashMap<>();
      List<Integer> heights = new ArrayList<>();
      int letters = 0;
      int raw = 0;
      double confSum = 0;
      int confN = 0;
      for (OcrWord w : words) {
        if (!wordLike(w.text())) {
          continue;
        }
        raw++;
        if (w.confidence() < settings.minWordConfidence()) {
          continue;
        }
        confSum += w.confidence();
        confN++;
        byParagraph.computeIfAbsent(sparse ? "all" : w.block() + "." + w.paragraph(), k -> new ArrayList<>()).add(w);
        letters += (int) w.text().chars().filter(Character::isLetter).count();
        heights.add(w.height());
      }
      List<OcrText.Paragraph> paragraphs = new ArrayList<>();
      for (List<OcrWord> ws : byParagraph.values()) {
        paragraphs.add(paragraph(ws, g, scale, degrees));
      }
      heights.sort(null);
      int median = heights.isEmpty() ? 0 : (int) Math.round(heights.get(heights.size() / 2) / scale);
      return new Pass(paragraphs, letters, median, confN == 0 ? 0f : (float) (confSum / confN), confN, raw, name.strip());
    }

    OcrText.Paragraph paragraph(List<OcrWord> ws, GrayImage g, double scale, int degrees) {
      StringBuilder text = new StringBuilder();
      int x0 = Integer.MAX_VALUE;
      int y0 = Integer.MAX_VALUE;
      int x1 = Integer.MIN_VALUE;
      int y1 = Integer.MIN_VALUE;
      double conf = 0;
      for (OcrWord w : ws) {
        if (!text.isEmpty()) {
          text.append(' ');
        }
        text.append(w.text());
        conf += w.confidence();
        x0 = Math.min(x0, w.x());
        y0 = Math.min(y0, w.y());
        x1 = Math.max(x1, w.x() + w.width());
        y1 = Math.max(y1, w.y() + w.height());
      }
      // Undo the rotation in the pass's pixels, then the scale.
      int gw = degrees == 90 || degrees == 270 ? g.height() : g.width();
      int gh = degrees == 90 || degrees == 270 ? g.width() : g.height();
      int[] r = switch (degrees) {
        case 90 -> new int[] {y0, gh - x1, y1, gh - x0};
        case 180 -> new int[] {gw - x1, gh - y1, gw - x0, gh - y0};
        case 270 -> new int[] {gw - y1, x0, gw - y0, x1};
        default -> new int[] {x0, y0, x1, y1};
      };
      int left = Math.clamp((long) Math.floor(r[0] / scale), 0, width - 1);
      int top = Math.clamp((long) Math.floor(r[1] / scale), 0, height - 1);
      int right = Math.clamp((long) Math.ceil(r[2] / scale), left + 1, width);
      int bottom = Math.clamp((long) Math.ceil(r[3] / scale), top + 1, height);
      return new OcrText.Paragraph(text.toString(), (float) (conf / ws.size()), left, top, right - left, bottom - top);
    }

    OcrText result(Pass best, long start) {
      List<OcrText.Paragraph> paragraphs = best == null ? List.of() : best.paragraphs;
      return new OcrText(paragraphs, best == null ? "" : best.name, passes, overBudget, System.nanoTime() - start, trace);
    }
  }

  /** A word with at least one letter or digit: Tesseract reads texture as runs of punctuation. */
  static boolean wordLike(String word) {
    return word.chars().anyMatch(Character::isLetterOrDigit);
  }
}
