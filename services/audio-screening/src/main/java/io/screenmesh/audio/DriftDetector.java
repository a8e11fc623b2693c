package io.screenmesh.audio;

import io.screenmesh.audio.speech.Resampler;
import io.screenmesh.audio.speech.Transcript;
import io.screenmesh.audio.speech.Transcripts;
import io.screenmesh.audio.speech.WordDistance;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Evidence;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.TimeRange;
import io.screenmesh.services.common.engine.Availability;
import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Transcript drift (WaveGuard-style): adversarial audio is tuned to make a recognizer hear
 * something precise, and small changes that a listener would not notice — fewer bits, a lower
 * band, a resampling, the spectral gate — tend to undo it, while ordinary speech is heard the
 * same. The clip's original and squeezed versions are recognized, and the score is the largest
 * normalized word edit distance between the original's transcript and a squeezed one.
 *
 * <p>Squeezers ({@code screenmesh.audio.detectors.drift.squeezers}): {@code bits8} (8-bit
 * depth) and {@code resample8k} (down to 8 kHz and back: a 3.6 kHz band) by default;
 * {@code denoised} (the request path's gate and low-pass) is available but off: on benign
 * speech its transcript differed from the original's by 53–100% of the words, so it drowns
 * the signal. {@code threshold} (see {@link #DEFAULT_THRESHOLD}) is
 * calibrated on benign speech at a 5% false-positive rate (bench/RESULTS.md); a score at or
 * above it is an {@link Category#CATEGORY_ADVERSARIAL_AUDIO} finding. Each squeezer costs one
 * more recognition, so the detector is off by default ({@code enabled=false}). No adversarial
 * examples back a detection rate: the score is evidence for review, not a proof.
 */
@ApplicationScoped
public class DriftDetector implements AudioDetector {

  /** The detector id. */
  public static final String ID = "audio.drift";
  /**
   * The default threshold: above the largest score (0.80, at 10 dB SNR) of the tune split's
   * benign speech with the default squeezers (bench/RESULTS.md).
   */
  public static final double DEFAULT_THRESHOLD = 0.85;

  private static final String KEY = "screenmesh.audio.detectors.drift.";
  private static final int BITS = 8;
  private static final int LOW_RATE = 8_000;

  private final Transcripts transcripts;
  private final double threshold;
  private final List<String> squeezers;

  /**
   * Creates the detector from its configuration.
   *
   * @throws IllegalArgumentException for a threshold outside (0, 1] or an unknown squeezer
   */
  @Inject
  public DriftDetector(Transcripts transcripts,
      @ConfigProperty(name = KEY + "threshold", defaultValue = "" + DEFAULT_THRESHOLD) double threshold,
      @ConfigProperty(name = KEY + "squeezers", defaultValue = "bits8,resample8k") List<String> squeezers) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException(KEY + "threshold must be in (0, 1], got " + threshold);
    }
    for (String s : squeezers) {
      if (!List.of("bits8", "resample8k", "denoised").contains(s)) {
        throw new IllegalArgumentException(KEY + "squeezers: unknown squeezer " + s + " (bits8, resample8k, denoised)");
      }
    }
    if (squeezers.isEmpty()) {
      throw new IllegalArgumentException(KEY + "squeezers: need at least one");
    }
    this.transcripts = transcripts;
    this.threshold = threshold;
    this.squeezers = List.copyOf(squeezers);
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Availability availability() {
    return transcripts.recognizer().availability();
  }

  /** The transcripts of the original (key {@code original}) and of each squeezed version. */
  public Map<String, Transcript> transcripts(PreparedAudio clip) throws InterruptedException {
    Map<String, Transcript> out = new LinkedHashMap<>();
    out.put("original", transcripts.of(clip.mono(), clip.sampleRate()));
    for (String s : squeezers) {
      out.put(s, switch (s) {
        case "bits8" -> transcripts.of(bits(clip.mono(), BITS), clip.sampleRate());
        case "resample8k" -> transcripts.of(Resampler.resample(clip.mono(), clip.sampleRate(), LOW_RATE), LOW_RATE);
        default -> transcripts.of(clip.denoised(), clip.sampleRate());
      });
    }
    return out;
  }

  /** The drift score: the largest normalized word distance from the original's transcript. */
  public static double score(Map<String, Transcript> heard) {
    List<String> original = heard.get("original").tokens();
    double max = 0;
    for (var e : heard.entrySet()) {
      if (!e.getKey().equals("original")) {
        max = Math.max(max, WordDistance.normalized(original, e.getValue().tokens()));
      }
    }
    return max;
  }

  @Override
  public List<Detection> detect(List<PreparedAudio> batch, DetectionContext context) throws InterruptedException {
    List<Detection> out = new ArrayList<>(batch.size());
    for (PreparedAudio clip : batch) {
      Map<String, Transcript> heard = transcripts(clip);
      if (heard.values().stream().allMatch(Transcript::isEmpty)) {
        out.add(Detection.skipped("no speech recognized"));
        continue;
      }
      double score = score(heard);
      if (score < threshold) {
        out.add(Detection.NOTHING);
        continue;
      }
      String worst = "";
      double worstScore = -1;
      for (var e : heard.entrySet()) {
        double d = e.getKey().equals("original") ? -1 : WordDistance.normalized(heard.get("original").tokens(),
            e.getValue().tokens());
        if (d > worstScore) {
          worstScore = d;
          worst = e.getKey();
        }
      }
      out.add(Detection.of(Finding.newBuilder()
          .setDetector(ID)
          .setCategory(Category.CATEGORY_ADVERSARIAL_AUDIO)
          .setScore((float) score)
          .setSeverity(Severity.SEVERITY_MEDIUM)
          .setModality(Modality.MODALITY_AUDIO)
          .setEvidence(Evidence.newBuilder()
              .setTimeRange(TimeRange.newBuilder().setStartSeconds(0).setEndSeconds(clip.decoded().seconds()))
              .setExcerpt(excerpt("heard: \"" + heard.get("original").text() + "\"; " + worst + ": \""
                  + heard.get(worst).text() + "\"")))
          .setMessage(String.format("the transcript changes by %.0f%% of its words when the clip is squeezed (%s):"
              + " speech crafted for the recognizer rather than for a listener", 100 * score, worst))
          .build()));
    }
    return out;
  }

  private static String excerpt(String s) {
    return s.length() <= 240 ? s : s.substring(0, 240) + "…";
  }

  /** Rounds to {@code bits} of depth over [-1, 1]. */
  static float[] bits(float[] in, int bits) {
    float levels = (1 << (bits - 1)) - 1;
    float[] out = new float[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = Math.round(Math.max(-1f, Math.min(1f, in[i])) * levels) / levels;
    }
    return out;
  }
}
