package io.screenmesh.image.detectors;

import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.ImageRegion;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.image.ImageConfig;
import io.screenmesh.image.ImageDetector;
import io.screenmesh.image.PreparedImage;
import io.screenmesh.image.ocr.OcrPool;
import io.screenmesh.image.ocr.OcrReader;
import io.screenmesh.image.ocr.OcrText;
import io.screenmesh.nativ.tesseract.TesseractException;
import io.screenmesh.nativ.tesseract.TesseractLibrary;
import io.screenmesh.services.common.DerivedTextScreener;
import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import io.screenmesh.services.common.engine.Availability;
import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import io.screenmesh.text.v1.TextOrigin;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * {@value #ID}: the text drawn in an image's pixels, read by Tesseract ({@link OcrReader}: grayscale,
 * contrast stretch, inversion of light-on-dark text, upscaling of small text, rotation) and
 * screened by text-screening with origin OCR, one {@code ScreenTexts} call per image with one
 * text per paragraph (and the whole page when it has several, so an instruction split over
 * paragraphs is read whole). The HIDDEN_TEXT finding of each flagged text carries its region of
 * the image; the findings of text-screening name the paragraph in their text span's source
 * ({@code ocr:para-2}).
 *
 * <p>Each image gets at most {@code screenmesh.image.ocr.budget} of OCR time. Over it, the
 * text read so far is still screened and the detector reports itself failed on that image
 * ({@value #OVER_BUDGET}), so the verdict rule and the front door's policy decide, never a hang.
 * Without libtesseract or the language data the detector is unavailable with the reason, and the
 * policy decides as for any detector that cannot run.
 */
@ApplicationScoped
public class OcrDetector implements ImageDetector {

  /** The detector's id. */
  public static final String ID = "image.ocr";
  /** The reason given when an image's OCR ran out of its budget. */
  public static final String OVER_BUDGET = "OCR_OVER_BUDGET";

  private static final Logger LOG = Logger.getLogger(OcrDetector.class);
  private static final String SOURCE_PREFIX = "ocr:";
  private static final String PAGE = "page";
  /** Text-screening refuses texts over 65,536 UTF-16 units; OCR of one image stays well under. */
  private static final int MAX_CHARS = 16_384;

  private final DerivedTextScreener text;
  private final OcrPool pool;
  private final Availability availability;
  private final long budgetNanos;

  /** Creates the detector from {@code screenmesh.image.ocr.*} over the "text" gRPC client. */
  @Inject
  public OcrDetector(ImageConfig config, @GrpcClient("text") Channel textChannel) {
    this(new DerivedTextScreener(textChannel, config.textTimeout()), config.ocr());
  }

  /** Creates the detector over {@code text} with the given OCR settings (tools and tests). */
  public OcrDetector(DerivedTextScreener text, ImageConfig.Ocr ocr) {
    this.text = text;
    this.budgetNanos = ocr.budget().toNanos();
    OcrPool opened = null;
    Availability available;
    try {
      opened = OcrPool.open(ocr.dataPath().orElse(null), ocr.language(),
          ocr.threads().orElse(Runtime.getRuntime().availableProcessors()),
          new OcrReader(new OcrReader.Settings(ocr.minWordConfidence(), ocr.smallWordHeight(), ocr.maxSide(),
              ocr.maxUpscaledSide())));
      available = Availability.AVAILABLE;
      int limit = TesseractLibrary.load().ompThreadLimit();
      if (limit > 1) {
        LOG.warnf("OCR: OpenMP allows %d threads, not 1: Tesseract's threads slow OCR on few cores "
            + "(set OMP_THREAD_LIMIT=1 in the service's environment before it starts)", limit);
      }
      LOG.infof("OCR: Tesseract %s, language %s, budget %s per image", opened.version(), ocr.language(), ocr.budget());
    } catch (TesseractException e) {
      available = Availability.unavailable(e.getMessage());
    }
    this.pool = opened;
    this.availability = available;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Availability availability() {
    return availability;
  }

  @Override
  public List<Detection> detect(List<PreparedImage> batch, DetectionContext context) throws InterruptedException {
    if (pool == null) {
      throw new IllegalStateException(availability.reason());
    }
    List<Future<OcrText>> reads = new ArrayList<>(batch.size());
    for (PreparedImage p : batch) {
      reads.add(pool.submit(p.image(), budgetNanos));
    }
    List<OcrText> texts = new ArrayList<>(batch.size());
    List<CompletableFuture<List<Finding>>> calls = new ArrayList<>(batch.size());
    try {
      for (Future<OcrText> read : reads) {
        OcrText t = ocr(read);
        texts.add(t);
        calls.add(t == null ? CompletableFuture.completedFuture(List.of())
            : text.screenAsync(sourced(t), TextOrigin.TEXT_ORIGIN_OCR, Modality.MODALITY_IMAGE, ID, SOURCE_PREFIX,
                context.deadline()));
      }
      List<Detection> out = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        out.add(detection(texts.get(i), calls.get(i)));
      }
      return out;
    } catch (InterruptedException e) {
      // Out of time: queued reads and text calls in flight are cancelled; a pass already
      // running ends by the image's budget.
      reads.forEach(r -> r.cancel(true));
      calls.forEach(c -> c.cancel(true));
      throw e;
    }
  }

  /** The OCR result, or null when Tesseract failed on this image (reported by {@link #detection}). */
  private static OcrText ocr(Future<OcrText> read) throws InterruptedException {
    try {
      return read.get();
    } catch (ExecutionException e) {
      LOG.warn("OCR failed on an image", e.getCause());
      return null;
    }
  }

  /** One text per paragraph, and the whole page when it has more than one. */
  static List<SourcedText> sourced(OcrText t) {
    List<SourcedText> out = new ArrayList<>();
    for (int i = 0; i < t.paragraphs().size(); i++) {
      out.add(new SourcedText(paragraphSource(i), cut(t.paragraphs().get(i).text())));
    }
    if (t.paragraphs().size() > 1) {
      out.add(new SourcedText(PAGE, cut(t.text())));
    }
    return out;
  }

  private static String paragraphSource(int i) {
    return "para-" + (i + 1);
  }

  private static String cut(String s) {
    return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS);
  }

  private static Detection detection(OcrText t, CompletableFuture<List<Finding>> call) throws InterruptedException {
    if (t == null) {
      return Detection.failed(List.of(), "OCR_FAILED: Tesseract could not read the image");
    }
    List<Finding> findings = new ArrayList<>();
    String unscreened = ScreenedText.collect(call, f -> withRegion(f, t), findings);
    if (unscreened != null) {
      return Detection.failed(findings, unscreened);
    }
    if (t.overBudget()) {
      return Detection.failed(findings, OVER_BUDGET + ": OCR stopped at its "
          + Duration.ofNanos(t.nanos()).toMillis() + " ms budget after " + t.passes()
          + " passes; text in the image may have been missed");
    }
    return Detection.of(findings);
  }

  /** Gives this detector's HIDDEN_TEXT finding the region of the text it stands for. */
  private static Finding withRegion(Finding f, OcrText t) {
    if (!f.getDetector().equals(ID) || f.getCategory() != Category.CATEGORY_HIDDEN_TEXT
        || !f.getEvidence().hasTextSpan()) {
      return f;
    }
    String source = f.getEvidence().getTextSpan().getSource().substring(SOURCE_PREFIX.length());
    ImageRegion region = null;
    for (int i = 0; i < t.paragraphs().size(); i++) {
      OcrText.Paragraph p = t.paragraphs().get(i);
      ImageRegion r = ImageRegion.newBuilder().setX(p.x()).setY(p.y()).setWidth(p.width()).setHeight(p.height()).build();
      if (source.equals(paragraphSource(i))) {
        region = r;
        break;
      }
      if (source.equals(PAGE)) {
        region = region == null ? r : union(region, r);
      }
    }
    if (region == null) {
      return f;
    }
    Finding.Builder b = f.toBuilder();
    b.getEvidenceBuilder().setImageRegion(region);
    return b.setMessage(f.getMessage() + " at x=" + region.getX() + " y=" + region.getY() + " "
        + region.getWidth() + "x" + region.getHeight()).build();
  }

  private static ImageRegion union(ImageRegion a, ImageRegion b) {
    int x = Math.min(a.getX(), b.getX());
    int y = Math.min(a.getY(), b.getY());
    int right = Math.max(a.getX() + a.getWidth(), b.getX() + b.getWidth());
    int bottom = Math.max(a.getY() + a.getHeight(), b.getY() + b.getHeight());
    return ImageRegion.newBuilder().setX(x).setY(y).setWidth(right - x).setHeight(bottom - y).build();
  }

  /** Stops the OCR threads and ends every Tesseract engine; idempotent. */
  @PreDestroy
  public void close() {
    if (pool != null) {
      pool.close();
    }
  }
}
