package io.screenmesh.audio.speech;

import io.screenmesh.nativ.vosk.VoskModel;
import io.screenmesh.nativ.vosk.VoskRecognizer;
import io.screenmesh.nativ.vosk.VoskResult;
import io.screenmesh.services.common.engine.Availability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Speech recognition for the audio detectors: Vosk's small English model, loaded once per
 * process, and a recognizer per clip. A clip is resampled to {@value #RATE} Hz by
 * {@link Resampler}, converted to 16-bit PCM and decoded in one pass.
 *
 * <p>The model is looked up in the configured directory, or, when none is configured, in
 * {@code vosk-model-en-us} beside the build output that holds this class (the Maven build
 * unpacks it into {@code target/}: the tests' {@code target/classes} and the packaged
 * {@code target/quarkus-app} both find it). When the model cannot load, {@link #availability()}
 * says why and {@link #recognize} throws.
 *
 * <p>Thread-safe. {@link #close()} frees the model.
 */
public final class SpeechRecognizer implements AutoCloseable {

  /** The rate the model expects. */
  public static final int RATE = 16_000;
  /** The default model directory's name. */
  public static final String DEFAULT_MODEL_DIR = "vosk-model-en-us";

  private static final Logger LOG = Logger.getLogger(SpeechRecognizer.class);

  private final VoskModel model;
  private final Availability availability;

  private SpeechRecognizer(VoskModel model, Availability availability) {
    this.model = model;
    this.availability = availability;
  }

  /**
   * Loads the model from {@code configured}, or from the default place when it is empty.
   * Never throws: a model that cannot load gives a recognizer that is unavailable with the reason.
   */
  public static SpeechRecognizer load(String configured) {
    Path dir = configured == null || configured.isBlank() ? defaultModel() : Path.of(configured);
    try {
      long t0 = System.nanoTime();
      VoskModel m = VoskModel.load(dir);
      LOG.infof("speech model %s loaded in %d ms", dir.toAbsolutePath(), (System.nanoTime() - t0) / 1_000_000);
      return new SpeechRecognizer(m, Availability.AVAILABLE);
    } catch (RuntimeException | LinkageError e) {
      LOG.warnf("speech recognition unavailable: %s", e.getMessage());
      return new SpeechRecognizer(null, Availability.unavailable("speech model unavailable: " + e.getMessage()));
    }
  }

  /** {@code vosk-model-en-us} in the working directory, or beside this class's build output. */
  static Path defaultModel() {
    Path here = Path.of(DEFAULT_MODEL_DIR);
    if (Files.isDirectory(here)) {
      return here;
    }
    try {
      Path code = Path.of(SpeechRecognizer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // target/classes/ or target/quarkus-app/app/x.jar: the model is in target/.
      for (Path p = code; p != null; p = p.getParent()) {
        Path candidate = p.resolve(DEFAULT_MODEL_DIR);
        if (Files.isDirectory(candidate)) {
          return candidate;
        }
        if (p.getFileName() != null && p.getFileName().toString().equals("target")) {
          break;
        }
      }
    } catch (RuntimeException | java.net.URISyntaxException e) {
      // No code source (an unusual class loader): only the working directory is searched.
    }
    return here;
  }

  /** Whether the model loaded, and why not. */
  public Availability availability() {
    return availability;
  }

  /**
   * Recognizes the speech in {@code mono} at {@code sampleRate}.
   *
   * @throws IllegalStateException when the model is not available
   */
  public Transcript recognize(float[] mono, int sampleRate) {
    if (model == null) {
      throw new IllegalStateException(availability.reason());
    }
    float[] pcm = Resampler.resample(mono, sampleRate, RATE);
    short[] s = new short[pcm.length];
    for (int i = 0; i < pcm.length; i++) {
      float c = Math.max(-1f, Math.min(1f, pcm[i]));
      s[i] = (short) Math.round(c * 32767f);
    }
    return recognize16k(s);
  }

  /** Recognizes 16-bit PCM at {@value #RATE} Hz. */
  public Transcript recognize16k(short[] pcm) {
    if (model == null) {
      throw new IllegalStateException(availability.reason());
    }
    VoskResult r;
    try (VoskRecognizer rec = model.recognizer(RATE)) {
      rec.accept(pcm, 0, pcm.length);
      r = rec.finish();
    }
    List<String> words = new ArrayList<>(r.words().size());
    List<double[]> times = new ArrayList<>(r.words().size());
    List<Double> conf = new ArrayList<>(r.words().size());
    for (VoskResult.Word w : r.words()) {
      words.add(w.word());
      times.add(new double[] {w.start(), w.end()});
      conf.add(w.confidence());
    }
    return Transcript.of(words, times, conf);
  }

  @Override
  public void close() {
    if (model != null) {
      model.close();
    }
  }
}
