package io.screenmesh.audio;

/**
 * Turns an encoded clip into mono samples under the service's limits; implemented per format and
 * by {@link AudioDecoders}, which picks the format from the clip's first bytes.
 */
public interface ClipDecoder {

  /**
   * Decodes {@code data}, downmixing to mono.
   *
   * @throws io.screenmesh.services.common.ScreeningException INVALID_ARGUMENT for data that is not
   *     a supported, well-formed clip, RESOURCE_EXHAUSTED for one over a limit
   */
  DecodedAudio decode(byte[] data);
}
