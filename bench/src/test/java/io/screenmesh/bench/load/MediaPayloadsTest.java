package io.screenmesh.bench.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;

class MediaPayloadsTest {

  @Test
  void pngIsTheSizeAskedAndCarriesNoTextChunks() throws Exception {
    byte[] png = MediaPayloads.png(224, 42);
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(224, img.getWidth());
    assertEquals(224, img.getHeight());
    List<String> chunks = chunks(png);
    assertEquals("IHDR", chunks.getFirst());
    assertEquals("IEND", chunks.getLast());
    assertFalse(chunks.contains("tEXt") || chunks.contains("iTXt") || chunks.contains("zTXt"), chunks.toString());
    assertArrayEquals(png, MediaPayloads.png(224, 42), "the same seed gives the same file");
    // Noise keeps it photo-like: well over a byte per pixel after deflate.
    assertTrue(png.length > 224 * 224, "PNG of " + png.length + " bytes");
  }

  @Test
  void wavRepeatsTheSourceToTheLengthAsked() throws Exception {
    short[] source = new short[1600];
    for (int i = 0; i < source.length; i++) {
      source[i] = (short) (8000 * Math.sin(i * 0.05));
    }
    byte[] wav = MediaPayloads.repeatedWav(wav(source, 16_000), 1.5, 7);
    try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
      AudioFormat f = in.getFormat();
      assertEquals(16_000f, f.getSampleRate());
      assertEquals(1, f.getChannels());
      assertEquals(16, f.getSampleSizeInBits());
      short[] pcm = new short[24_000];
      ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(pcm);
      for (int i : new int[] {0, 1599, 1600, 17_777, 23_999}) {
        // The source plus a noise floor of sigma 30: within 6 sigma.
        assertEquals(source[i % 1600], pcm[i], 180, "sample " + i);
      }
    }
    assertEquals(44 + 48_000, wav.length, "a plain RIFF header and the samples, no other chunk");
  }

  @Test
  void refusesSourcesThatAreNotMono16Bit() {
    byte[] stereo8 = wav(new AudioFormat(16_000f, 8, 2, true, false), new byte[64]);
    assertThrows(IllegalArgumentException.class, () -> MediaPayloads.repeatedWav(stereo8, 1, 1));
  }

  private static byte[] wav(short[] pcm, int rate) {
    ByteBuffer b = ByteBuffer.allocate(pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.asShortBuffer().put(pcm);
    return wav(new AudioFormat(rate, 16, 1, true, false), b.array());
  }

  private static byte[] wav(AudioFormat format, byte[] data) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(data), format, data.length / format.getFrameSize()),
          AudioFileFormat.Type.WAVE, out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> chunks(byte[] png) {
    List<String> kinds = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(png);
    b.position(8);
    while (b.remaining() >= 12) {
      int len = b.getInt();
      byte[] kind = new byte[4];
      b.get(kind);
      kinds.add(new String(kind, StandardCharsets.US_ASCII));
      b.position(b.position() + len + 4);
    }
    return kinds;
  }
}
