package io.screenmesh.audio;

import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import java.util.List;

/**
 * One clip as the audio detectors read it: decoded, downmixed to mono, and denoised. The arrays
 * are shared with the engine and must not be modified.
 *
 * @param request the request the clip came in
 * @param decoded the decoded clip: the original mono signal, its rate, header facts and
 *     metadata text
 * @param denoised the mono signal after the spectral gate and low-pass, as long as the original;
 *     nothing above the low-pass cutoff is left in it, so detectors of inaudible content must
 *     read {@link #mono()}
 */
public record PreparedAudio(ScreenAudioRequest request, DecodedAudio decoded, float[] denoised) {

  /** The original mono signal, in [-1, 1]. */
  public float[] mono() {
    return decoded.mono();
  }

  /** Samples per second. */
  public int sampleRate() {
    return decoded.sampleRate();
  }

  /** The text of the clip's LIST/INFO chunks. */
  public List<SourcedText> metadata() {
    return decoded.metadata();
  }
}
