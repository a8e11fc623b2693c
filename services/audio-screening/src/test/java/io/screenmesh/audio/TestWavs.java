package io.screenmesh.audio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds WAV files of any supported layout for tests. */
final class TestWavs {

  /** PCM format tag. */
  static final int PCM = 1;
  /** IEEE float format tag. */
  static final int FLOAT = 3;

  private TestWavs() {}

  /** {@code seconds} of a sine of {@code hz} at amplitude {@code amp}. */
  static float[] sine(double hz, double seconds, int rate, double amp) {
    float[] s = new float[(int) Math.round(seconds * rate)];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / rate));
    }
    return s;
  }

  /** The sample-by-sample sum of {@code a} and {@code b}. */
  static float[] mix(float[] a, float[] b) {
    float[] out = new float[Math.min(a.length, b.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }

  /** Encodes the samples of each channel (all the same length). */
  static byte[] samples(int tag, int bits, float[]... channels) {
    int frames = channels[0].length;
    ByteBuffer b = ByteBuffer.allocate(frames * channels.length * bits / 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int f = 0; f < frames; f++) {
      for (float[] ch : channels) {
        double v = ch[f];
        if (tag == FLOAT) {
          if (bits == 32) {
            b.putFloat((float) v);
          } else {
            b.putDouble(v);
          }
          continue;
        }
        switch (bits) {
          case 8 -> b.put((byte) (Math.round(v * 127) + 128));
          case 16 -> b.putShort((short) Math.round(v * 32767));
          case 24 -> {
            int x = (int) Math.round(v * 8388607);
            b.put((byte) x).put((byte) (x >> 8)).put((byte) (x >> 16));
          }
          default -> b.putInt((int) Math.round(v * 2147483647.0));
        }
      }
    }
    return b.array();
  }

  /** A plain fmt chunk body. */
  static byte[] fmt(int tag, int channels, int rate, int bits) {
    return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
        .putShort((short) tag).putShort((short) channels).putInt(rate).putInt(rate * channels * bits / 8)
        .putShort((short) (channels * bits / 8)).putShort((short) bits).array();
  }

  /** A WAVE_FORMAT_EXTENSIBLE fmt chunk body for sub-format {@code tag}. */
  static byte[] fmtExtensible(int tag, int channels, int rate, int bits) {
    ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    b.put(fmt(0xFFFE, channels, rate, bits));
    b.putShort((short) 22).putShort((short) bits).putInt(channels == 1 ? 4 : 3).putShort((short) tag);
    b.put(new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
    return b.array();
  }

  /** A chunk with its header and pad byte. */
  static byte[] chunk(String id, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(8 + body.length + (body.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
    b.put(id.getBytes(StandardCharsets.US_ASCII)).putInt(body.length).put(body);
    return b.array();
  }

  /** A LIST/INFO chunk of (id, text) pairs. */
  static byte[] info(String... idText) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("INFO".getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < idText.length; i += 2) {
      byte[] t = (idText[i + 1] + "\0").getBytes(StandardCharsets.UTF_8);
      out.writeBytes(chunk(idText[i], t));
    }
    return chunk("LIST", out.toByteArray());
  }

  /** A RIFF/WAVE file of {@code chunks}. */
  static byte[] riff(byte[]... chunks) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes("WAVE".getBytes(StandardCharsets.US_ASCII));
    for (byte[] c : chunks) {
      body.writeBytes(c);
    }
    return concat(chunk("RIFF", body.toByteArray()));
  }

  /** An RF64 file with a ds64 chunk and a data chunk whose 32-bit size is 0xFFFFFFFF. */
  static byte[] rf64(byte[] fmt, byte[] samples) {
    ByteBuffer ds64 = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
    ds64.putLong(0).putLong(samples.length).putLong(0).putInt(0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    head.put("RF64".getBytes(StandardCharsets.US_ASCII)).putInt(-1).put("WAVE".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(head.array());
    out.writeBytes(chunk("ds64", ds64.array()));
    out.writeBytes(chunk("fmt ", fmt));
    ByteBuffer dataHead = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    dataHead.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(-1);
    out.writeBytes(dataHead.array());
    out.writeBytes(samples);
    return out.toByteArray();
  }

  /** A plain WAV of mono or multi-channel samples. */
  static byte[] wav(int tag, int bits, int rate, float[]... channels) {
    return riff(chunk("fmt ", fmt(tag, channels.length, rate, bits)), chunk("data", samples(tag, bits, channels)));
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** The ids of the top-level chunks of a RIFF file. */
  static java.util.List<String> chunkIds(byte[] wav) {
    java.util.List<String> ids = new java.util.ArrayList<>();
    int p = 12;
    while (p + 8 <= wav.length) {
      ids.add(new String(wav, p, 4, StandardCharsets.US_ASCII));
      int size = ByteBuffer.wrap(wav, p + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      p += 8 + size + (size & 1);
    }
    return ids;
  }
}
