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
