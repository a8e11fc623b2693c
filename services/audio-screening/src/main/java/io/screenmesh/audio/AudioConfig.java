package io.screenmesh.audio;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The audio service's limits, detector settings and peers, under {@code screenmesh.audio.*}. */
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

  /** {@code screenmesh.audio.text-timeout}: the longest a call to text-screening may take. */
  @WithDefault("2s")
  Duration textTimeout();

  /** Limits on metadata text, under {@code screenmesh.audio.metadata.*}. */
  Metadata metadata();

  /** The ultrasonic-energy detector, under {@code screenmesh.audio.ultrasonic.*}. */
  Ultrasonic ultrasonic();

  /** Limits on the text read from a clip's metadata chunks. */
  interface Metadata {

    /** {@code screenmesh.audio.metadata.max-texts}: the most metadata texts screened. */
    @WithDefault("32")
    int maxTexts();

    /** {@code screenmesh.audio.metadata.max-text-chars}: the longest metadata text screened. */
    @WithDefault("16384")
    int maxTextChars();
  }

  /** Settings of the detector of energy above the audible band. */
  interface Ultrasonic {

    /** {@code screenmesh.audio.ultrasonic.cutoff-hz}: where the inaudible band starts. */
    @WithDefault("18000")
    double cutoffHz();

    /** {@code screenmesh.audio.ultrasonic.flag-fraction}: the share of energy above the cutoff that flags. */
    @WithDefault("0.2")
    double flagFraction();

    /** {@code screenmesh.audio.ultrasonic.block-fraction}: the share of energy above the cutoff that blocks. */
    @WithDefault("0.5")
    double blockFraction();
  }

  /** The decode limits as a plain value. */
  default AudioLimits limits() {
    return new AudioLimits(maxBytes(), maxSeconds(), minSampleRate(), maxSampleRate(), maxChannels(),
        metadata().maxTexts(), metadata().maxTextChars());
  }
}
