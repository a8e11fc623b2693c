package io.screenmesh.audio;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;

/**
 * The audio service's limits, denoising, verdict and peer settings under
 * {@code screenmesh.audio.*}. The batcher ({@code screenmesh.audio.batch.*}) and the detectors
 * ({@code screenmesh.audio.detectors.<id>.*}) read their own keys; they are declared here as maps
 * only because a mapping refuses start-up on any key under its prefix that it does not declare
 * (which also turns a misspelled limit into a start-up error rather than a silent default).
 */
@ConfigMapping(prefix = "screenmesh.audio")
public interface AudioConfig {

  /** {@code screenmesh.audio.max-bytes}: the largest encoded clip accepted (50 MiB). */
  @WithDefault("52428800")
  int maxBytes();

  /** {@code screenmesh.audio.max-seconds}: the longest clip accepted, in seconds. */
  @WithDefault("600")
  double maxSeconds();

  /** {@code screenmesh.audio.min-sample-rate}: the lowest sample rate accepted, in Hz. */
  @WithDefault("8000")
  int minSampleRate();

  /** {@code screenmesh.audio.max-sample-rate}: the highest sample rate accepted, in Hz. */
  @WithDefault("192000")
  int maxSampleRate();

  /** {@code screenmesh.audio.max-channels}: the most channels accepted. */
  @WithDefault("8")
  int maxChannels();

  /**
   * {@code screenmesh.audio.max-decoded-samples}: the most samples (frames × channels) a FLAC, Ogg
   * or MP3 clip may decode to; as many as the largest 16-bit WAV under the byte limit holds, since
   * a small compressed clip can otherwise claim up to max-seconds at the highest rate.
   */
  @WithDefault("26214400")
  long maxDecodedSamples();

  /** {@code screenmesh.audio.text-timeout}: the longest a call to text-screening may take. */
  @WithDefault("2s")
  Duration textTimeout();

  /** Limits on metadata text, under {@code screenmesh.audio.metadata.*}. */
  Metadata metadata();

  /**
   * The batcher's keys, {@code screenmesh.audio.batch.*}, as written; read by
   * {@link io.screenmesh.services.common.engine.EngineSettings}.
   */
  Map<String, String> batch();

  /**
   * Each detector's keys, {@code screenmesh.audio.detectors.<id>.*}, as written; read by
   * {@link io.screenmesh.services.common.engine.EngineSettings} and the detectors themselves.
   */
  Map<String, Map<String, String>> detectors();

  /** The denoising on the request path, under {@code screenmesh.audio.denoise.*}. */
  Denoise denoise();

  /**
   * The verdict thresholds' keys, {@code screenmesh.audio.verdict.*}, as written; read by
   * {@link io.screenmesh.services.common.engine.EngineSettings}.
   */
  Map<String, String> verdict();

  /** Speech recognition, under {@code screenmesh.audio.speech.*}. */
  Speech speech();

  /** The speech recognizer every detector that listens to speech shares. */
  interface Speech {

    /**
     * {@code screenmesh.audio.speech.model-path}: the Vosk model directory. Unset: the model the
     * build unpacks into {@code target/vosk-model-en-us}.
     */
    java.util.Optional<String> modelPath();
  }

  /** Limits on the text read from a clip's metadata chunks. */
  interface Metadata {

    /** {@code screenmesh.audio.metadata.max-texts}: the most metadata texts screened. */
    @WithDefault("32")
    int maxTexts();

    /** {@code screenmesh.audio.metadata.max-text-chars}: the longest metadata text screened. */
    @WithDefault("16384")
    int maxTextChars();
  }

  /** The spectral gate and low-pass every clip goes through before detection and sanitizing. */
  interface Denoise {

    /** {@code screenmesh.audio.denoise.gate}: whether the stationary spectral gate runs. */
    @WithDefault("true")
    boolean gate();

    /**
     * {@code screenmesh.audio.denoise.cutoff-hz}: the low-pass cutoff. 8 kHz keeps the whole
     * band speech recognition reads (16 kHz models) and leaves the filter 10 kHz to reach its
     * stop-band before the inaudible band at 18 kHz.
     */
    @WithDefault("8000")
    double cutoffHz();

    /** {@code screenmesh.audio.denoise.taps}: the low-pass FIR length, odd. */
    @WithDefault("101")
    int taps();
  }


  /** The decode limits as a plain value. */
  default AudioLimits limits() {
    return new AudioLimits(maxBytes(), maxSeconds(), minSampleRate(), maxSampleRate(), maxChannels(),
        metadata().maxTexts(), metadata().maxTextChars());
  }

  /** The denoise settings as a plain value. */
  default Denoising denoising() {
    return new Denoising(denoise().gate(), denoise().cutoffHz(), denoise().taps());
  }

}
