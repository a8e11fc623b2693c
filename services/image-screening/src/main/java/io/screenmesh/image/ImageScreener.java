package io.screenmesh.image;

import io.grpc.Channel;
import io.grpc.Deadline;
import io.quarkus.grpc.GrpcClient;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.Evidence;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.TextSpan;
import io.screenmesh.image.metadata.MetadataExtractor;
import io.screenmesh.image.metadata.MetadataNote;
import io.screenmesh.image.v1.ImageInfo;
import io.screenmesh.image.v1.MetadataText;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.services.common.DerivedTextScreener;
import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import io.screenmesh.services.common.SeverityVerdict;
import io.screenmesh.services.common.Stages;
import io.screenmesh.text.v1.TextOrigin;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Screens one image: safe decode under limits, metadata text extracted and screened by
 * text-screening, and a sanitized PNG re-encoded from the pixels alone. Blocking and CPU-bound:
 * call it off the event loop.
 */
@ApplicationScoped
public class ImageScreener {

  /** The service name reported in responses. */
  public static final String SERVICE = "image-screening";
  /** The decode detector (limits, allow-list, strict decoding). */
  public static final String DECODE = "image.decode";
  /** The metadata-text detector. */
  public static final String METADATA_TEXT = "image.metadata-text";

  private static final String LATER = "arrives in a later release";
  private static final List<String> NOT_YET = List.of("image.squeeze", "image.ocr", "image.qr", "image.hidden-signal");

  private final SafeImageDecoder decoder;
  private final MetadataExtractor metadata;
  private final DerivedTextScreener text;

  /** Creates the screener from configuration and the "text" gRPC client. */
  public ImageScreener(ImageConfig config, @GrpcClient("text") Channel textChannel) {
    this.decoder = new SafeImageDecoder(config.limits());
    this.metadata = new MetadataExtractor(config.metadata().maxTexts(), config.metadata().maxTextChars(),
        config.metadata().maxInflatedBytes());
    this.text = new DerivedTextScreener(textChannel, config.textTimeout());
  }

  /**
   * Screens {@code request}.
   *
   * @param deadline the caller's deadline, or null; calls to text-screening end by it
   * @throws io.screenmesh.services.common.ScreeningException for input that cannot be screened
   *     (INVALID_ARGUMENT, RESOURCE_EXHAUSTED) or when text-screening cannot answer (UNAVAILABLE,
   *     DEADLINE_EXCEEDED)
   */
  public ScreenImageResponse screen(ScreenImageRequest request, Deadline deadline) {
    Stages stages = new Stages();
    byte[] data = request.getData().toByteArray();
    DecodedImage image = stages.time("decode", () -> decoder.decode(data));
    MetadataExtractor.Extraction extraction = stages.time("metadata", () -> metadata.extract(image.format(), data));

    List<Finding> findings = new ArrayList<>();
    for (MetadataNote note : extraction.notes()) {
      findings.add(noteFinding(note));
    }
    findings.addAll(stages.time("fanout.text", () -> text.screen(extraction.texts(), TextOrigin.TEXT_ORIGIN_METADATA,
        Modality.MODALITY_IMAGE, METADATA_TEXT, "metadata:", deadline)));

    ScreenImageResponse.Builder out = ScreenImageResponse.newBuilder()
        .setId(request.getId())
        .setInfo(ImageInfo.newBuilder()
            .setFormat(image.format().id())
            .setWidth(image.width())
            .setHeight(image.height())
            .setChannels(image.channels()))
        .addAllFindings(findings)
        .setVerdict(SeverityVerdict.of(findings));
    for (SourcedText t : extraction.texts()) {
      out.addMetadataText(MetadataText.newBuilder().setSource(t.source()).setText(t.text()));
    }
    if (!request.getOmitSanitized()) {
      out.setSanitizedPng(com.google.protobuf.ByteString.copyFrom(stages.time("sanitize", () -> SanitizedPng.encode(image))));
    }
    ProcessingInfo.Builder processing = ProcessingInfo.newBuilder()
        .setService(SERVICE)
        .addAllTimings(stages.timings())
        .addDetectors(DetectorRun.newBuilder().setDetector(DECODE).setRan(true))
        .addDetectors(DetectorRun.newBuilder().setDetector(METADATA_TEXT).setRan(true));
    for (String d : NOT_YET) {
      processing.addDetectors(DetectorRun.newBuilder().setDetector(d).setRan(false).setReason(LATER));
    }
    return out.setProcessing(processing).build();
  }

  private static Finding noteFinding(MetadataNote note) {
    // A bomb is an attack on the screener itself; a cut text or corrupt metadata is only odd.
    boolean bomb = note.kind() == MetadataNote.Kind.INFLATE_CAPPED;
    return Finding.newBuilder()
        .setDetector(METADATA_TEXT)
        .setCategory(Category.CATEGORY_MALFORMED_INPUT)
        .setSeverity(bomb ? Severity.SEVERITY_MEDIUM : Severity.SEVERITY_LOW)
        .setScore(bomb ? 0.6f : 0.2f)
        .setModality(Modality.MODALITY_IMAGE)
        .setEvidence(Evidence.newBuilder().setTextSpan(TextSpan.newBuilder().setSource("metadata:" + note.source())))
        .setMessage(note.message())
        .build();
  }
}
