package io.screenmesh.audio;

import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import java.util.List;

/**
 * A decoded clip, downmixed to mono.
 *
 * @param encoding the sample encoding ("pcm_s16le", "pcm_u8", "pcm_s24le", "pcm_s32le",
 *     "float32", "float64")
 * @param sampleRate samples per second
 * @param channels channels in the original
 * @param mono the mean of the channels per frame, nominally in [-1, 1] (float input may exceed
 *     it; NaN and infinities are read as 0)
 * @param metadata the text of the clip's LIST/INFO chunks, with sources {@code riff:INFO:<id>}
 */
public record DecodedAudio(String encoding, int sampleRate, int channels, float[] mono, List<SourcedText> metadata) {

  /** The duration in seconds. */
  public double seconds() {
    return (double) mono.length / sampleRate;
  }
}
