package io.screenmesh.image.detectors;

import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Evidence;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.TextSpan;
import io.screenmesh.image.ImageConfig;
import io.screenmesh.image.ImageDetector;
import io.screenmesh.image.PreparedImage;
import io.screenmesh.image.metadata.MetadataExtractor;
import io.screenmesh.image.metadata.MetadataNote;
import io.screenmesh.services.common.DerivedTextScreener;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import io.screenmesh.text.v1.TextOrigin;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@value #ID}: the text in an image's metadata (PNG text chunks, JPEG comments, EXIF, XMP, GIF
 * comments), screened by text-screening in one {@code ScreenTexts} call per image with origin
 * METADATA; the images of a batch are screened concurrently. Notes on the metadata itself (a
 * decompression bomb cut short, a text cut at the limit, a corrupt structure) become
 * MALFORMED_INPUT findings.
 *
 * <p>When text-screening cannot screen an image's text, that image (and only that one) gets a
 * HIGH {@code CATEGORY_SCREENING_UNAVAILABLE} finding with text-screening's reason, so it is
 * blocked by the modality verdict and the front door applies its fail-open or fail-closed rule;
 * the other images of the batch keep their answers.
 */
@ApplicationScoped
public class MetadataTextDetector implements ImageDetector {

  /** The detector's id. */
  public static final String ID = "image.metadata-text";

  private final DerivedTextScreener text;

  /** Creates the detector over the "text" gRPC client and {@code screenmesh.image.text-timeout}. */
  @Inject
  public MetadataTextDetector(ImageConfig config, @GrpcClient("text") Channel textChannel) {
    this(new DerivedTextScreener(textChannel, config.textTimeout()));
  }

  /** Creates the detector over {@code text} (tools and tests). */
  public MetadataTextDetector(DerivedTextScreener text) {
    this.text = text;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public List<Detection> detect(List<PreparedImage> batch, DetectionContext context) throws InterruptedException {
    List<CompletableFuture<List<Finding>>> calls = new ArrayList<>(batch.size());
    for (PreparedImage p : batch) {
      calls.add(text.screenAsync(p.metadata().texts(), TextOrigin.TEXT_ORIGIN_METADATA, Modality.MODALITY_IMAGE, ID,
          "metadata:", context.deadline()));
    }
    List<Detection> out = new ArrayList<>(batch.size());
    try {
      for (int i = 0; i < batch.size(); i++) {
        out.add(detection(batch.get(i).metadata(), calls.get(i)));
      }
    } catch (InterruptedException e) {
      // Out of time: the calls still in flight are cancelled, so text-screening stops too.
      calls.forEach(c -> c.cancel(true));
      throw e;
    }
    return out;
  }

  private static Detection detection(MetadataExtractor.Extraction metadata, CompletableFuture<List<Finding>> call)
      throws InterruptedException {
    if (metadata.texts().isEmpty() && metadata.notes().isEmpty()) {
      return Detection.skipped("no metadata text");
    }
    List<Finding> findings = new ArrayList<>();
    for (MetadataNote note : metadata.notes()) {
      findings.add(noteFinding(note));
    }
    try {
      findings.addAll(call.get());
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof ScreeningException se)) {
        throw new IllegalStateException("screening metadata text failed", e.getCause());
      }
      // This image's text went unscreened: the engine reports the detector FAILED on it, and
      // the image counts as not fully screened; the other images of the batch are unaffected.
      return Detection.failed(findings, se.reason() + ": " + se.getMessage());
    }
    return Detection.of(findings);
  }

  private static Finding noteFinding(MetadataNote note) {
    // A bomb is an attack on the screener itself; a cut text or corrupt metadata is only odd.
    boolean bomb = note.kind() == MetadataNote.Kind.INFLATE_CAPPED;
    return Finding.newBuilder()
        .setDetector(ID)
        .setCategory(Category.CATEGORY_MALFORMED_INPUT)
        .setSeverity(bomb ? Severity.SEVERITY_MEDIUM : Severity.SEVERITY_LOW)
        .setScore(bomb ? 0.6f : 0.2f)
        .setModality(Modality.MODALITY_IMAGE)
        .setEvidence(Evidence.newBuilder().setTextSpan(TextSpan.newBuilder().setSource("metadata:" + note.source())))
        .setMessage(note.message())
        .build();
  }
}
