package io.screenmesh.audio;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Evidence;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.TimeRange;
import io.screenmesh.kernels.Spectral;
import io.screenmesh.services.common.ComputeBackend;
import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import io.screenmesh.audio.speech.Demodulator;
import io.screenmesh.audio.speech.SpeechRecognizer;
import io.screenmesh.audio.speech.Transcript;
import io.screenmesh.audio.speech.TranscriptScreening;
import io.screenmesh.audio.speech.Transcripts;
import io.screenmesh.services.common.DerivedTextScreener;
import io.screenmesh.services.common.ScreeningException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Measures how much of a clip's spectral energy lies above the audible band. Commands
 * modulated onto ultrasonic carriers (DolphinAttack) put most of a clip's energy there, where
 * ordinary speech and music put almost none.
 *
 * <p>The clip is cut into equal segments that go to the spectral hot path as one batch; each
 * segment's mean power spectrum is split at the cutoff. The share above the cutoff over the
 * whole clip decides, and the segments where it is high give the evidence's time range. The
 * DC bin is left out: an offset is neither audible nor inaudible content.
 *
 * <p>It reads the original signal ({@link PreparedAudio#mono()}): the denoised one has had
 * everything above the low-pass cutoff removed, carrier included. Settings, under
 * {@code screenmesh.audio.detectors.ultrasonic.*}: {@code cutoff-hz} (18000), where the
 * inaudible band starts; {@code flag-fraction} (0.2) and {@code block-fraction} (0.5), the
 * shares of energy above it that flag (MEDIUM) and block (HIGH).
 *
 * <p>Beyond energy: when the share reaches {@code demodulate-fraction} (0.01) the band is
 * demodulated as a microphone's square law would ({@link Demodulator}) and the baseband is
 * recognized; the recovered command text is the evidence (the energy finding's excerpt) and is
 * screened by text-screening like any transcript, so a weak carrier under loud audible sound
 * is still read. When the model is unavailable the energy measure alone runs; when
 * text-screening cannot screen a recovered command, the clip fails with the reason.
 */
@ApplicationScoped
public class UltrasonicDetector implements AudioDetector {

  /** The detector id. */
  public static final String ID = "audio.ultrasonic";

  private static final int N_FFT = 1024;
  /** Half-overlapping frames, as the spectral path's Hann-windowed framing expects. */
  private static final int HOP = N_FFT / 2;
  /** Samples per segment: the time resolution of the evidence. */
  private static final int SEGMENT = 8 * N_FFT;
  // Below about -80 dBFS a segment is silence: no share of nothing is meaningful.
  private static final double SILENCE_POWER = 1e-8 * N_FFT;

  /**
   * The outcome.
   *
   * @param ran false when the sample rate cannot carry energy above the cutoff
   * @param reason why it did not run; empty when it ran
   * @param fraction the share of energy above the cutoff, in [0, 1] (0 for silence)
   * @param finding a finding when the share reached the flag threshold, else null
   */
  public record Result(boolean ran, String reason, double fraction, Finding finding) {}

  private static final String KEY = "screenmesh.audio.detectors.ultrasonic.";

  private final Spectral spectral;
  private final double cutoffHz;
  private final double flagFraction;
  private final double blockFraction;
  private final Transcripts transcripts;
  private final TranscriptScreening screening;
  private final double demodulateFraction;

  /** Creates the detector on the service's compute backend, from its configuration. */
  @Inject
  public UltrasonicDetector(ComputeBackend backend, Transcripts transcripts, DerivedTextScreener text,
      @ConfigProperty(name = KEY + "cutoff-hz", defaultValue = "18000") double cutoffHz,
      @ConfigProperty(name = KEY + "flag-fraction", defaultValue = "0.2") double flagFraction,
      @ConfigProperty(name = KEY + "block-fraction", defaultValue = "0.5") double blockFraction,
      @ConfigProperty(name = KEY + "demodulate-fraction", defaultValue = "0.01") double demodulateFraction) {
    this(backend.spectral(), cutoffHz, flagFraction, blockFraction, transcripts, new TranscriptScreening(text),
        demodulateFraction);
  }

  /**
   * Creates a detector that measures energy only.
   *
   * @param spectral the spectral hot path
   * @param cutoffHz where the inaudible band starts
   * @param flagFraction the share that flags (MEDIUM)
   * @param blockFraction the share that blocks (HIGH)
   * @throws IllegalArgumentException unless {@code cutoffHz > 0} and
   *     {@code 0 < flagFraction <= blockFraction <= 1}
   */
  public UltrasonicDetector(Spectral spectral, double cutoffHz, double flagFraction, double blockFraction) {
    this(spectral, cutoffHz, flagFraction, blockFraction, null, null, 1);
  }

  /**
   * Creates a detector that also demodulates the band and screens what it hears.
   *
   * @param spectral the spectral hot path
   * @param cutoffHz where the inaudible band starts
   * @param flagFraction the share that flags (MEDIUM)
   * @param blockFraction the share that blocks (HIGH)
   * @param transcripts the speech recognizer; null measures energy only
   * @param screening sends recovered commands to text-screening
   * @param demodulateFraction the share from which the band is demodulated, in (0, 1]
   * @throws IllegalArgumentException unless {@code cutoffHz > 0},
   *     {@code 0 < flagFraction <= blockFraction <= 1} and {@code 0 < demodulateFraction <= 1}
   */
  public UltrasonicDetector(Spectral spectral, double cutoffHz, double flagFraction, double blockFraction,
      Transcripts transcripts, TranscriptScreening screening, double demodulateFraction) {
    if (!(cutoffHz > 0) || !(flagFraction > 0 && flagFraction <= blockFraction && blockFraction <= 1)
        || !(demodulateFraction > 0 && demodulateFraction <= 1)) {
      throw new IllegalArgumentException(KEY + "*: need cutoff-hz > 0, 0 < flag-fraction <= block-fraction <= 1"
          + " and 0 < demodulate-fraction <= 1, got " + cutoffHz + ", " + flagFraction + ", " + blockFraction
          + ", " + demodulateFraction);
    }
    this.spectral = spectral;
    this.cutoffHz = cutoffHz;
    this.flagFraction = flagFraction;
    this.blockFraction = blockFraction;
    this.transcripts = transcripts;
    this.screening = screening;
    this.demodulateFraction = demodulateFraction;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public List<Detection> detect(List<PreparedAudio> batch, DetectionContext context) throws InterruptedException {
    List<Detection> out = new ArrayList<>(batch.size());
    for (PreparedAudio clip : batch) {
      Result r = measure(clip.mono(), clip.sampleRate());
      if (!r.ran()) {
        out.add(Detection.skipped(r.reason()));
      } else if (r.fraction() >= demodulateFraction && transcripts != null
          && transcripts.recognizer().availability().available()) {
        out.add(demodulated(clip, r, context));
      } else {
        out.add(r.finding() == null ? Detection.NOTHING : Detection.of(r.finding()));
      }
    }
    return out;
  }

  /** Recognizes the demodulated band and screens what it says. */
  private Detection demodulated(PreparedAudio clip, Result r, DetectionContext context) throws InterruptedException {
    float[] baseband = new Demodulator(spectral, cutoffHz).demodulate(clip.mono(), clip.sampleRate());
    Transcript heard = transcripts.of(baseband, SpeechRecognizer.RATE);
    List<Finding> findings = new ArrayList<>();
    if (r.finding() != null) {
      Finding f = r.finding();
      findings.add(heard.isEmpty() ? f : f.toBuilder()
          .setEvidence(f.getEvidence().toBuilder().setExcerpt(f.getEvidence().getExcerpt()
              + "; recovered command: \"" + heard.text() + "\""))
          .setMessage(f.getMessage() + "; demodulated, it says \"" + heard.text() + "\"")
          .build());
    }
    try {
      findings.addAll(screening.screen(Map.of("ultrasonic:baseband", heard), ID,
          "The demodulated ultrasonic band", context.deadline()));
      return Detection.of(findings);
    } catch (ScreeningException e) {
      return Detection.failed(findings, e.reason() + ": " + e.getMessage());
    }
  }

  /** Measures {@code mono} at {@code sampleRate}. */
  public Result measure(float[] mono, int sampleRate) {
    // A band narrower than a few bins above the cutoff is too thin to measure.
    if (sampleRate / 2.0 < cutoffHz + 4.0 * sampleRate / N_FFT) {
      return new Result(false, "a sample rate of " + sampleRate + " Hz carries nothing above "
          + (int) cutoffHz + " Hz", 0, null);
    }
    if (mono.length == 0) {
      return new Result(true, "", 0, null);
    }
    int bins = N_FFT / 2 + 1;
    int full = mono.length / SEGMENT;
    int segments = full + (mono.length % SEGMENT == 0 ? 0 : 1);
    float[] power = new float[segments * bins];
    if (full > 0) {
      spectral.meanPowerSpectrum(MemorySegment.ofArray(mono), MemorySegment.ofArray(power), full, SEGMENT, N_FFT, HOP);
    }
    if (segments > full) {
      // The tail, zero-padded to a whole segment: zeros add no energy to any bin.
      float[] tail = Arrays.copyOfRange(mono, full * SEGMENT, (full + 1) * SEGMENT);
      float[] tailPower = spectral.meanPowerSpectrum(tail, N_FFT, HOP);
      System.arraycopy(tailPower, 0, power, full * bins, bins);
    }
    int cutoffBin = (int) Math.ceil(cutoffHz * N_FFT / sampleRate);
    double total = 0;
    double high = 0;
    int firstHot = -1;
    int lastHot = -1;
    for (int s = 0; s < segments; s++) {
      double segTotal = 0;
      double segHigh = 0;
      for (int k = 1; k < bins; k++) {
        double p = power[s * bins + k];
        segTotal += p;
        if (k >= cutoffBin) {
          segHigh += p;
        }
      }
      total += segTotal;
      high += segHigh;
      if (segTotal > SILENCE_POWER && segHigh >= flagFraction * segTotal) {
        if (firstHot < 0) {
          firstHot = s;
        }
        lastHot = s;
      }
    }
    if (total <= SILENCE_POWER * segments) {
      return new Result(true, "", 0, null);
    }
    double fraction = high / total;
    if (fraction < flagFraction) {
      return new Result(true, "", fraction, null);
    }
    boolean block = fraction >= blockFraction;
    double start = firstHot < 0 ? 0 : (double) firstHot * SEGMENT / sampleRate;
    double end = lastHot < 0 ? (double) mono.length / sampleRate
        : Math.min((double) (lastHot + 1) * SEGMENT, mono.length) / sampleRate;
    Finding finding = Finding.newBuilder()
        .setDetector(ID)
        .setCategory(Category.CATEGORY_INAUDIBLE_COMMAND)
        .setScore((float) fraction)
        .setSeverity(block ? Severity.SEVERITY_HIGH : Severity.SEVERITY_MEDIUM)
        .setModality(Modality.MODALITY_AUDIO)
        .setEvidence(Evidence.newBuilder()
            .setTimeRange(TimeRange.newBuilder().setStartSeconds(start).setEndSeconds(end))
            .setExcerpt(String.format("%.0f%% of spectral energy above %.0f Hz", 100 * fraction, cutoffHz)))
        .setMessage(String.format("%.0f%% of the clip's energy lies above %.0f Hz, outside human hearing:"
            + " a carrier for an inaudible command", 100 * fraction, cutoffHz))
        .build();
    return new Result(true, "", fraction, finding);
  }
}
