package io.screenmesh.image.detectors;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Evidence;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.ImageRegion;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.image.DecodedImage;
import io.screenmesh.image.ImageConfig;
import io.screenmesh.image.ImageDetector;
import io.screenmesh.image.PreparedImage;
import io.screenmesh.image.adversarial.Calibration;
import io.screenmesh.image.adversarial.ClassifierConfig;
import io.screenmesh.image.adversarial.FeatureSqueezeScorer;
import io.screenmesh.image.adversarial.OnnxClassifier;
import io.screenmesh.services.common.ComputeBackend;
import io.screenmesh.services.common.engine.Availability;
import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import io.screenmesh.kernels.Squeeze;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * {@value #ID}: squeeze-based adversarial detection (Feature Squeezing, Xu et al., NDSS 2018) with
 * the operator's own ONNX classifier. Each image is scored by {@link FeatureSqueezeScorer} (the
 * classifier on the image and its squeezed variants, in one run per batch) and flagged with an
 * ADVERSARIAL_IMAGE finding when its score is above the threshold that {@code ./screenmesh
 * calibrate} measured on benign images for this model.
 *
 * <p>Configured under {@code screenmesh.image.detectors.adversarial.*} ({@link ClassifierConfig}).
 * With no model, or a model but no threshold file, the detector is unavailable and says why in
 * every response; a model whose input does not match the configuration, or a threshold file made
 * for another model or other squeezers, refuses start-up.
 */
@ApplicationScoped
public class SqueezeAdversarialDetector implements ImageDetector, AutoCloseable {

  /** The detector's id. */
  public static final String ID = "image.adversarial";

  private static final Logger LOG = Logger.getLogger(SqueezeAdversarialDetector.class);

  private final FeatureSqueezeScorer scorer;
  private final Calibration calibration;
  private final Availability availability;

  /**
   * Creates the detector from {@code screenmesh.image.detectors.adversarial.*}.
   *
   * @throws IllegalArgumentException when the model or its threshold does not match the configuration
   */
  @Inject
  public SqueezeAdversarialDetector(ImageConfig config, ComputeBackend backend) {
    this(config.detectors().getOrDefault("adversarial", Map.of()), backend.squeeze());
  }

  /**
   * Creates the detector from the keys without prefix (tools and tests).
   *
   * @throws IllegalArgumentException when the model or its threshold does not match the configuration
   */
  public SqueezeAdversarialDetector(Map<String, String> keys, Squeeze squeeze) {
    Optional<ClassifierConfig> config = ClassifierConfig.from(keys);
    if (config.isEmpty()) {
      this.scorer = null;
      this.calibration = null;
      this.availability = Availability.unavailable("no model configured (" + ClassifierConfig.PREFIX + "model)");
      return;
    }
    OnnxClassifier classifier = new OnnxClassifier(config.get());
    try {
      Optional<Path> file = config.get().thresholdFile();
      Calibration c = null;
      if (file.isPresent()) {
        c = Calibration.read(file.get());
        c.checkFor(classifier, file.get());
      }
      this.calibration = c;
    } catch (RuntimeException e) {
      classifier.close();
      throw e;
    }
    this.scorer = new FeatureSqueezeScorer(classifier, squeeze);
    this.availability = calibration == null
        ? Availability.unavailable("no calibrated threshold (" + ClassifierConfig.PREFIX
            + "threshold-file; make one with ./screenmesh calibrate)")
        : Availability.AVAILABLE;
    LOG.infof("%s: model %s (sha256 %s), squeezers %s, threshold %s", ID, config.get().model(),
        classifier.sha256(), config.get().squeezers(), calibration == null ? "none" : calibration.threshold());
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Availability availability() {
    return availability;
  }

  /** The calibrated threshold in use, or null when there is none. */
  public Calibration calibration() {
    return calibration;
  }

  @Override
  public List<Detection> detect(List<PreparedImage> batch, DetectionContext context) {
    if (!availability.available()) {
      throw new IllegalStateException(ID + " is unavailable: " + availability.reason());
    }
    List<DecodedImage> images = batch.stream().map(PreparedImage::image).toList();
    float[] scores = scorer.scores(images);
    List<Detection> out = new ArrayList<>(batch.size());
    for (int i = 0; i < scores.length; i++) {
      out.add(calibration.flags(scores[i]) ? Detection.of(finding(images.get(i), scores[i])) : Detection.NOTHING);
    }
    return out;
  }

  private Finding finding(DecodedImage image, float score) {
    double t = calibration.threshold();
    // At the threshold the finding just reaches the default flag level (0.6); a score halfway
    // from the threshold to the maximum distance (2) or beyond reaches the block level.
    float confidence = (float) Math.min(1.0, 0.6 + 0.8 * (score - t) / Math.max(1e-6, 2 - t));
    return Finding.newBuilder()
        .setDetector(ID)
        .setCategory(Category.CATEGORY_ADVERSARIAL_IMAGE)
        .setSeverity(Severity.SEVERITY_MEDIUM)
        .setScore(confidence)
        .setModality(Modality.MODALITY_IMAGE)
        .setEvidence(Evidence.newBuilder()
            .setImageRegion(ImageRegion.newBuilder().setWidth(image.width()).setHeight(image.height()))
            .setExcerpt(String.format(Locale.ROOT, "squeeze distance %.3f > %.3f", score, t)))
        .setMessage("the classifier's output moves under feature squeezing as adversarial perturbations do")
        .build();
  }

  /** Releases the model's session. */
  @PreDestroy
  @Override
  public void close() {
    if (scorer != null) {
      scorer.classifier().close();
    }
  }
}
