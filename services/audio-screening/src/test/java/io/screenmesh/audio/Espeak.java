package io.screenmesh.audio;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/** Synthesizes speech with espeak-ng ({@code ./screenmesh deps} installs it) for tests. */
public final class Espeak {

  private Espeak() {}

  /**
   * A WAV (22,050 Hz, 16-bit mono) of {@code text} in {@code voice} at {@code wordsPerMinute}.
   *
   * @throws IllegalStateException when espeak-ng is not installed or fails
   */
  public static byte[] wav(String text, String voice, int wordsPerMinute) {
    try {
      Process p = new ProcessBuilder("espeak-ng", "-v", voice, "-s", Integer.toString(wordsPerMinute), "--stdout", text)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("espeak-ng failed on \"" + text + "\"");
      }
      // espeak-ng writes to a pipe with unknown sizes (0xFFFFFFFF): fix the RIFF and data sizes.
      return fixSizes(out);
    } catch (IOException e) {
      throw new IllegalStateException("espeak-ng is not installed (apt-get install espeak-ng): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code text} spoken by espeak-ng (en-us) as an AM-ultrasonic command: the speech, resampled
   * to {@code rate}, modulates a {@code carrierHz} carrier at depth 0.8, as in DolphinAttack.
   */
  public static float[] ultrasonic(String text, int rate, double carrierHz) {
    DecodedAudio speech = new SafeWavDecoder(AudioLimits.DEFAULTS).decode(wav(text, "en-us", 160));
    float[] x = io.screenmesh.audio.speech.Resampler.resample(speech.mono(), speech.sampleRate(), rate);
    float peak = 1e-9f;
    for (float v : x) {
      peak = Math.max(peak, Math.abs(v));
    }
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = (float) (0.45 * (1 + 0.8 * x[i] / peak) * Math.cos(2 * Math.PI * carrierHz * i / rate));
    }
    return y;
  }

  private static byte[] fixSizes(byte[] wav) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(wav).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putInt(4, wav.length - 8);
    int pos = 12;
    while (pos + 8 <= wav.length) {
      int size = b.getInt(pos + 4);
      if (wav[pos] == 'd' && wav[pos + 1] == 'a' && wav[pos + 2] == 't' && wav[pos + 3] == 'a') {
        b.putInt(pos + 4, wav.length - pos - 8);
        break;
      }
      pos += 8 + size + (size & 1);
    }
    return wav;
  }
}
