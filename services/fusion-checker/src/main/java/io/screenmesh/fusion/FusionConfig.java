package io.screenmesh.fusion;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Configuration of the front door, prefix {@code screenmesh.fusion}. Durations take
 * Quarkus' forms ({@code 2s}, {@code 250ms}, {@code PT2S}). Checked at start-up by
 * {@link FusionSettings#from(FusionConfig)}.
 */
@ConfigMapping(prefix = "screenmesh.fusion")
public interface FusionConfig {

  /** Path of the policies YAML file; unset takes the {@code policies.yaml} bundled on the class path. */
  Optional<String> policyFile();

  /** The policy applied when a request names none. */
  @WithDefault("default")
  String defaultPolicy();

  /** The most parts one item may have. */
  @WithDefault("16")
  int maxParts();

  /** How many items of one stream are screened at the same time. */
  @WithDefault("32")
  int streamConcurrency();

  /**
   * Time kept back from the caller's deadline for fusing and answering: calls to the
   * modality services end this much before the caller's deadline.
   */
  @WithDefault("25ms")
  Duration deadlineMargin();

  /** The longest each modality service is given per part, whatever the caller's deadline. */
  Budget budget();

  /**
   * The modality services' own size limits, checked here before a part is sent: a part over
   * them is answered REJECTED with the service's reason without a call, and never reaches a
   * transport cap that would refuse it without one. Keep them equal to the services' settings.
   */
  Limits limits();

  /** How the front door watches the modality services' health ({@link DependencyHealth}). */
  Health health();

  /** The dependency health checks. */
  interface Health {
    /** Time between checks, and the deadline of each. */
    @WithDefault("2s")
    Duration interval();
  }

  /** Per-modality size limits, the modality services' defaults. */
  interface Limits {
    /** Longest text in UTF-16 code units ({@code screenmesh.text.max-text-length}). */
    @WithDefault("65536")
    int textChars();

    /** Largest encoded image in bytes ({@code screenmesh.image.max-bytes}). */
    @WithDefault("20971520")
    int imageBytes();

    /** Largest encoded clip in bytes ({@code screenmesh.audio.max-bytes}). */
    @WithDefault("52428800")
    int audioBytes();
  }

  /** Per-modality time budgets. */
  interface Budget {
    /** Budget of a text part. */
    @WithDefault("2s")
    Duration text();

    /** Budget of an image part. */
    @WithDefault("5s")
    Duration image();

    /** Budget of an audio part. */
    @WithDefault("10s")
    Duration audio();
  }
}
