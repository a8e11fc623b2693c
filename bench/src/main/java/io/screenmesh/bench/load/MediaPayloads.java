package io.screenmesh.bench.load;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Writes the payloads of the media load runs, deterministically, with no metadata (no PNG text
 * chunks, no WAV LIST chunks), so that the modality service screens pixels or samples and never
 * calls text-screening:
 *
 * <pre>
 *   MediaPayloads image SIZE OUT.png              a SIZE x SIZE RGB landscape with sensor-like noise
 *   MediaPayloads audio SECONDS SOURCE.wav OUT.wav  SOURCE (16-bit mono PCM) repeated to SECONDS,
 *                                                 over a faint noise floor
 * </pre>
 *
 * <p>The noise keeps the PNG about as hard to compress as a photo (a smooth synthetic picture
 * deflates to a fraction of a photo's size and would understate the decode), and gives the audio
 * gate a floor to estimate between the repeats.
 */
public final class MediaPayloads {

  private MediaPayloads() {}

  /** Runs the generator; exits 2 on bad arguments. */
  public static void main(String[] args) throws IOException, UnsupportedAudioFileException {
    if (args.length == 3 && args[0].equals("image")) {
      int size = Integer.parseInt(args[1]);
      Files.write(Path.of(args[2]), png(size, 42));
    } else if (args.length == 4 && args[0].equals("audio")) {
      Files.write(Path.of(args[3]), repeatedWav(Files.readAllBytes(Path.of(args[2])), Double.parseDouble(args[1]), 42));
    } else {
      System.err.println("usage: MediaPayloads image SIZE OUT.png | audio SECONDS SOURCE.wav OUT.wav");
      System.exit(2);
    }
  }

  /** A {@code size x size} 8-bit RGB PNG: sky, sun and hills, with Gaussian noise of sigma 4. */
  static byte[] png(int size, long seed) throws IOException {
    if (size < 8) {
      throw new IllegalArgumentException("size must be at least 8, got " + size);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    double s = size / 320.0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double hill = size * 0.62 + 20 * s * Math.sin(x / (35 * s)) + 10 * s * Math.sin(x / (11 * s));
        double r;
        double g;
        double b;
        double sunX = x - size * 0.78;
        double sunY = y - size * 0.23;
        if (y > hill) {
          double shade = (y - hill) / (size - hill + 1);
          r = 40 + 30 * shade;
          g = 140 - 50 * shade;
          b = 50 + 10 * Math.sin(x / (5 * s));
        } else if (sunX * sunX + sunY * sunY < 26 * 26 * s * s) {
          r = 255;
          g = 220;
          b = 90;
        } else {
          double t = y / hill;
          r = 90 + 100 * t;
          g = 150 + 70 * t;
          b = 235 - 10 * t;
        }
        img.setRGB(x, y, channel(r, rnd) << 16 | channel(g, rnd) << 8 | channel(b, rnd));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, "png", out)) {
      throw new IOException("no PNG writer");
    }
    return out.toByteArray();
  }

  private static int channel(double v, SplittableRandom rnd) {
    return (int) Math.max(0, Math.min(255, Math.round(v + 4 * rnd.nextGaussian())));
  }

  /**
   * {@code source} (a 16-bit mono PCM WAV) repeated until {@code seconds} are filled, each
   * sample plus noise of sigma 30 (about -60 dBFS), as a 16-bit mono WAV at the source's rate.
   */
  static byte[] repeatedWav(byte[] source, double seconds, long seed) throws IOException, UnsupportedAudioFileException {
    short[] pcm;
    AudioFormat format;
    try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(source))) {
      format = in.getFormat();
      if (format.getChannels() != 1 || format.getSampleSizeInBits() != 16
          || format.getEncoding() != AudioFormat.Encoding.PCM_SIGNED) {
        throw new IllegalArgumentException("the source must be 16-bit signed mono PCM, got " + format);
      }
      ByteBuffer bytes = ByteBuffer.wrap(in.readAllBytes())
          .order(format.isBigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
      pcm = new short[bytes.remaining() / 2];
      bytes.asShortBuffer().get(pcm);
    }
    if (pcm.length == 0) {
      throw new IllegalArgumentException("the source has no samples");
    }
    float rate = format.getSampleRate();
    int n = (int) Math.round(seconds * rate);
    SplittableRandom rnd = new SplittableRandom(seed);
    ByteBuffer out = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      long v = Math.round(pcm[i % pcm.length] + 30 * rnd.nextGaussian());
      out.putShort((short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v)));
    }
    AudioFormat mono16 = new AudioFormat(rate, 16, 1, true, false);
    ByteArrayOutputStream wav = new ByteArrayOutputStream();
    AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(out.array()), mono16, n),
        AudioFileFormat.Type.WAVE, wav);
    return wav.toByteArray();
  }
}
