package io.screenmesh.audio;

import com.google.protobuf.ByteString;
import io.screenmesh.audio.v1.ScreenAudioRequest;

/**
 * The generated clip the engine warms up on: one second at 16 kHz of a few tones over faint
 * noise, without metadata, so the warm-up calls no peer.
 */
final class WarmUpClip {

  static final int RATE = 16_000;

  private WarmUpClip() {}

  /** A request for the clip, sanitized copy included, so encoding warms up too. */
  static ScreenAudioRequest request(String id) {
    float[] s = new float[RATE];
    java.util.Random noise = new java.util.Random(7);
    for (int i = 0; i < s.length; i++) {
      double t = (double) i / RATE;
      s[i] = (float) (0.2 * Math.sin(2 * Math.PI * 220 * t) + 0.1 * Math.sin(2 * Math.PI * 1_800 * t)
          + 0.01 * noise.nextGaussian());
    }
    return ScreenAudioRequest.newBuilder().setId(id).setData(ByteString.copyFrom(SanitizedWav.encode(s, RATE))).build();
  }
}
