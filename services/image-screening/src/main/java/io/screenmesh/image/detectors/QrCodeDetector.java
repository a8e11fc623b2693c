package io.screenmesh.image.detectors;

import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Evidence;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.ImageRegion;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.image.ImageConfig;
import io.screenmesh.image.ImageDetector;
import io.screenmesh.image.PreparedImage;
import io.screenmesh.image.codes.CodeReader;
import io.screenmesh.image.ocr.GrayImage;
import io.screenmesh.services.common.DerivedTextScreener;
import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import io.screenmesh.text.v1.TextOrigin;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * {@value #ID}: QR codes and common barcodes in the decoded pixels ({@link CodeReader}, ZXing),
 * their payloads screened by text-screening with origin BARCODE in one {@code ScreenTexts} call
 * per image. A payload that text-screening flags gets a HIDDEN_TEXT finding with the code's
 * region and the payload (as text-screening sanitized it) as its excerpt. A payload that is a link is reported as a LOW finding
 * (below the flag threshold of the default verdict rule: reported, not blocked), so a policy
 * that cares about links in images can act on it.
 */
@ApplicationScoped
public class QrCodeDetector implements ImageDetector {

  /** The detector's id. */
  public static final String ID = "image.qr";

  private static final String SOURCE_PREFIX = "code:";
  private static final int MAX_CODES = 16;
  private static final int EXCERPT_CHARS = 200;
  private static final float LINK_SCORE = 0.2f;
  private static final Pattern LINK = Pattern.compile("^\\s*(?:(?:https?|ftp)://|www\\.)\\S+",
      Pattern.CASE_INSENSITIVE);

  private final DerivedTextScreener text;
  private final CodeReader reader = new CodeReader(MAX_CODES);

  /** Creates the detector over the "text" gRPC client and {@code screenmesh.image.text-timeout}. */
  @Inject
  public QrCodeDetector(ImageConfig config, @GrpcClient("text") Channel textChannel) {
    this(new DerivedTextScreener(textChannel, config.textTimeout()));
  }

  /** Creates the detector over {@code text} (tools and tests). */
  public QrCodeDetector(DerivedTextScreener text) {
    this.text = text;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public List<Detection> detect(List<PreparedImage> batch, DetectionContext context) throws InterruptedException {
    List<List<CodeReader.Code>> codes = new ArrayList<>(batch.size());
    List<CompletableFuture<List<Finding>>> calls = new ArrayList<>(batch.size());
    try {
      for (PreparedImage p : batch) {
        if (context.isCancelled()) {
          throw new InterruptedException("the batch's calls have ended");
        }
        List<CodeReader.Code> found = reader.read(GrayImage.of(p.image()));
        codes.add(found);
        List<SourcedText> payloads = new ArrayList<>(found.size());
        for (int i = 0; i < found.size(); i++) {
          payloads.add(new SourcedText(source(i, found.get(i)), found.get(i).text()));
        }
        calls.add(text.screenAsync(payloads, TextOrigin.TEXT_ORIGIN_BARCODE, Modality.MODALITY_IMAGE, ID,
            SOURCE_PREFIX, context.deadline()));
      }
      List<Detection> out = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        out.add(detection(codes.get(i), calls.get(i)));
      }
      return out;
    } catch (InterruptedException e) {
      calls.forEach(c -> c.cancel(true));
      throw e;
    }
  }

  private static String source(int i, CodeReader.Code c) {
    return c.format().toLowerCase(Locale.ROOT) + "-" + (i + 1);
  }

  private static Detection detection(List<CodeReader.Code> codes, CompletableFuture<List<Finding>> call)
      throws InterruptedException {
    if (codes.isEmpty()) {
      return Detection.NOTHING;
    }
    List<Finding> findings = new ArrayList<>();
    for (int i = 0; i < codes.size(); i++) {
      CodeReader.Code c = codes.get(i);
      if (LINK.matcher(c.text()).find()) {
        findings.add(Finding.newBuilder()
            .setDetector(ID)
            .setCategory(Category.CATEGORY_HIDDEN_TEXT)
            .setSeverity(Severity.SEVERITY_LOW)
            .setScore(LINK_SCORE)
            .setModality(Modality.MODALITY_IMAGE)
            .setEvidence(Evidence.newBuilder().setImageRegion(region(c)).setExcerpt(excerpt(c.text())))
            .setMessage("a " + c.format() + " in the image links to " + excerpt(c.text().strip()))
            .build());
      }
    }
    String unscreened = ScreenedText.collect(call, f -> withRegion(f, codes), findings);
    if (unscreened != null) {
      return Detection.failed(findings, unscreened);
    }
    return Detection.of(findings);
  }

  /** This detector's HIDDEN_TEXT finding for a flagged payload: the code's region and the payload. */
  private static Finding withRegion(Finding f, List<CodeReader.Code> codes) {
    if (!f.getDetector().equals(ID) || !f.getEvidence().hasTextSpan()) {
      return f;
    }
    String source = f.getEvidence().getTextSpan().getSource();
    for (int i = 0; i < codes.size(); i++) {
      CodeReader.Code c = codes.get(i);
      if (source.equals(SOURCE_PREFIX + source(i, c))) {
        Finding.Builder b = f.toBuilder();
        // The excerpt stays text-screening's sanitized payload (secrets masked), safe to log.
        b.getEvidenceBuilder().setImageRegion(region(c));
        return b.setMessage(f.getMessage() + "; payload: " + f.getEvidence().getExcerpt()).build();
      }
    }
    return f;
  }

  private static ImageRegion region(CodeReader.Code c) {
    return ImageRegion.newBuilder().setX(c.x()).setY(c.y()).setWidth(c.width()).setHeight(c.height()).build();
  }

  private static String excerpt(String s) {
    return s.length() <= EXCERPT_CHARS ? s : s.substring(0, EXCERPT_CHARS) + "…";
  }
}
