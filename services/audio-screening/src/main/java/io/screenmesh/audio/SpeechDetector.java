package io.screenmesh.audio;

import io.screenmesh.audio.speech.SpeechRecognizer;
import io.screenmesh.audio.speech.Transcript;
import io.screenmesh.audio.speech.TranscriptScreening;
import io.screenmesh.audio.speech.Transcripts;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.services.common.ScreeningException;
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
 * Spoken injection: recognizes the speech in each clip (Vosk, {@link SpeechRecognizer}) and
 * screens the transcript with text-screening (origin TRANSCRIPT); each text finding points at
 * the time range of the words it covers ({@link TranscriptScreening}). When the recognizer's
 * mean word confidence on the original is below {@code retry-confidence}, the denoised signal is
 * recognized too and both transcripts are screened, so noise that hides words from the
 * recognizer need not hide them from screening. Off by default (0): on the evaluation's speech
 * the gated signal's transcripts were worse than the original's, not better, at twice the cost.
 *
 * <p>Keys under {@code screenmesh.audio.detectors.speech.}: {@code retry-confidence} (0: never;
 * 0.7 retries most noisy clips) and {@code on-unavailable}: {@code fail} (default) reports the
 * detector FAILED on every clip when the model cannot load, with the reason, so the clip counts
 * as not fully screened and the front door's fail-closed or fail-open rule for audio decides;
 * {@code skip} reports it unavailable (SKIPPED with the reason) and screens without it.
 */
@ApplicationScoped
public class SpeechDetector implements AudioDetector {

  /** The detector id. */
  public static final String ID = "audio.speech";

  private static final String KEY = "screenmesh.audio.detectors.speech.";

  private final Transcripts transcripts;
  private final TranscriptScreening screening;
  private final double retryConfidence;
  private final boolean failWhenUnavailable;

  /** Creates the detector from its configuration. */
  @Inject
  public SpeechDetector(Transcripts transcripts, io.screenmesh.services.common.DerivedTextScreener text,
      @ConfigProperty(name = KEY + "retry-confidence", defaultValue = "0") double retryConfidence,
      @ConfigProperty(name = KEY + "on-unavailable", defaultValue = "fail") String onUnavailable) {
    this(transcripts, new TranscriptScreening(text), retryConfidence, switch (onUnavailable) {
      case "fail" -> true;
      case "skip" -> false;
      default -> throw new IllegalArgumentException(KEY + "on-unavailable must be fail or skip, got " + onUnavailable);
    });
  }

  /**
   * Creates a detector.
   *
   * @param transcripts the shared transcripts
   * @param screening sends transcripts to text-screening
   * @param retryConfidence below this mean word confidence the denoised signal is recognized too
   * @param failWhenUnavailable whether a missing model fails every clip (else the detector is skipped)
   */
  public SpeechDetector(Transcripts transcripts, TranscriptScreening screening, double retryConfidence,
      boolean failWhenUnavailable) {
    if (!(retryConfidence >= 0 && retryConfidence <= 1)) {
      throw new IllegalArgumentException(KEY + "retry-confidence must be in [0, 1], got " + retryConfidence);
    }
    this.transcripts = transcripts;
    this.screening = screening;
    this.retryConfidence = retryConfidence;
    this.failWhenUnavailable = failWhenUnavailable;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Availability availability() {
    Availability a = transcripts.recognizer().availability();
    return a.available() || failWhenUnavailable ? Availability.AVAILABLE : a;
  }

  @Override
  public List<Detection> detect(List<PreparedAudio> batch, DetectionContext context) throws Exception {
    List<Detection> out = new ArrayList<>(batch.size());
    Availability a = transcripts.recognizer().availability();
    for (PreparedAudio clip : batch) {
      if (!a.available()) {
        out.add(Detection.failed(List.of(), a.reason()));
        continue;
      }
      if (context.isCancelled()) {
        throw new InterruptedException("nobody waits for the batch any more");
      }
      out.add(detect(clip, context));
    }
    return out;
  }

  private Detection detect(PreparedAudio clip, DetectionContext context) throws InterruptedException {
    Map<String, Transcript> heard = new LinkedHashMap<>();
    Transcript original = transcripts.of(clip.mono(), clip.sampleRate());
    heard.put("transcript", original);
    if (original.meanConfidence() < retryConfidence && clip.denoised() != clip.mono()) {
      Transcript denoised = transcripts.of(clip.denoised(), clip.sampleRate());
      if (!denoised.text().equals(original.text())) {
        heard.put("transcript:denoised", denoised);
      }
    }
    if (heard.values().stream().allMatch(Transcript::isEmpty)) {
      return Detection.skipped("no speech recognized");
    }
    try {
      List<Finding> found = screening.screen(heard, ID, "Speech", context.deadline());
      return Detection.of(found);
    } catch (ScreeningException e) {
      return Detection.failed(List.of(), e.reason() + ": " + e.getMessage());
    }
  }
}
