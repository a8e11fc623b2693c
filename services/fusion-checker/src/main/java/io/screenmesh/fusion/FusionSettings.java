package io.screenmesh.fusion;

import io.screenmesh.common.v1.Modality;
import java.time.Duration;

/**
 * The checked, immutable form of {@link FusionConfig}, so the screening classes can be
 * built without a configuration source (in tests, in tools).
 *
 * @param maxParts the most parts one item may have, at least 1
 * @param streamConcurrency items of one stream screened at the same time, at least 1
 * @param deadlineMargin time kept back from the caller's deadline, not negative
 * @param textBudget the longest a text part may take, positive
 * @param imageBudget the longest an image part may take, positive
 * @param audioBudget the longest an audio part may take, positive
 * @param limits the modality services' size limits, checked before a part is sent
 */
public record FusionSettings(
    int maxParts,
    int streamConcurrency,
    Duration deadlineMargin,
    Duration textBudget,
    Duration imageBudget,
    Duration audioBudget,
    PartLimits limits) {

  /**
   * The modality services' size limits.
   *
   * @param textChars longest text in UTF-16 code units, positive
   * @param imageBytes largest encoded image, positive
   * @param audioBytes largest encoded clip, positive
   */
  public record PartLimits(int textChars, int imageBytes, int audioBytes) {

    /** The modality services' defaults: 65,536 characters, 20 MiB, 50 MiB. */
    public static final PartLimits DEFAULTS = new PartLimits(65_536, 20 * 1024 * 1024, 50 * 1024 * 1024);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the configuration key that is out of range
     */
    public PartLimits {
      for (var e : java.util.Map.of("text-chars", textChars, "image-bytes", imageBytes, "audio-bytes", audioBytes)
          .entrySet()) {
        if (e.getValue() < 1) {
          throw new IllegalArgumentException(
              "screenmesh.fusion.limits." + e.getKey() + " must be positive, got " + e.getValue());
        }
      }
    }
  }

  /** Settings with the default {@link PartLimits}. */
  public FusionSettings(int maxParts, int streamConcurrency, Duration deadlineMargin, Duration textBudget,
      Duration imageBudget, Duration audioBudget) {
    this(maxParts, streamConcurrency, deadlineMargin, textBudget, imageBudget, audioBudget, PartLimits.DEFAULTS);
  }

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the configuration key that is out of range
   */
  public FusionSettings {
    java.util.Objects.requireNonNull(limits, "limits");
    if (maxParts < 1) {
      throw new IllegalArgumentException("screenmesh.fusion.max-parts must be at least 1, got " + maxParts);
    }
    if (streamConcurrency < 1) {
      throw new IllegalArgumentException(
          "screenmesh.fusion.stream-concurrency must be at least 1, got " + streamConcurrency);
    }
    if (deadlineMargin.isNegative()) {
      throw new IllegalArgumentException(
          "screenmesh.fusion.deadline-margin must not be negative, got " + deadlineMargin);
    }
    positive("text", textBudget);
    positive("image", imageBudget);
    positive("audio", audioBudget);
  }

  /** The documented defaults: 16 parts, 32 items in flight, 25 ms margin, budgets 2 s / 5 s / 10 s. */
  public static FusionSettings defaults() {
    return new FusionSettings(16, 32, Duration.ofMillis(25), Duration.ofSeconds(2), Duration.ofSeconds(5),
        Duration.ofSeconds(10));
  }

  /** The settings of {@code config}; throws {@link IllegalArgumentException} for values out of range. */
  public static FusionSettings from(FusionConfig config) {
    return new FusionSettings(config.maxParts(), config.streamConcurrency(), config.deadlineMargin(),
        config.budget().text(), config.budget().image(), config.budget().audio(),
        new PartLimits(config.limits().textChars(), config.limits().imageBytes(), config.limits().audioBytes()));
  }

  /**
   * The most parts of stream items at one modality service at once, over all streams of this
   * replica: the ceiling of {@link PartAdmission}'s adaptive limit (eight streams' worth).
   */
  public int streamPartLimit() {
    return streamConcurrency * 8;
  }

  /** The budget of {@code modality}. */
  public Duration budget(Modality modality) {
    return switch (modality) {
      case MODALITY_TEXT -> textBudget;
      case MODALITY_IMAGE -> imageBudget;
      case MODALITY_AUDIO -> audioBudget;
      default -> throw new IllegalArgumentException("no budget for " + modality);
    };
  }

  private static void positive(String modality, Duration budget) {
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException(
          "screenmesh.fusion.budget." + modality + " must be positive, got " + budget);
    }
  }
}
