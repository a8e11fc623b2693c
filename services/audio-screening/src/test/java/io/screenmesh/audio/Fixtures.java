package io.screenmesh.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The committed format fixtures (src/test/resources/formats, made by make-fixtures.sh there) and
 * ways to doctor them.
 */
final class Fixtures {

  private Fixtures() {}

  /** The bytes of {@code formats/<name>}. */
  static byte[] load(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/formats/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test fixture formats/" + name + " (see make-fixtures.sh)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the last Ogg page of {@code d} starts. */
  static int lastOggPage(byte[] d) {
    for (int p = d.length - 27; p >= 0; p--) {
      if (d[p] == 'O' && d[p + 1] == 'g' && d[p + 2] == 'g' && d[p + 3] == 'S') {
        return p;
      }
    }
    throw new IllegalArgumentException("no Ogg page");
  }

  /** Rewrites the checksum of the Ogg page at {@code p}, so a doctored field is read, not refused. */
  static void fixOggCrc(byte[] d, int p) {
    int segments = d[p + 26] & 0xFF;
    int length = 27 + segments;
    for (int i = 0; i < segments; i++) {
      length += d[p + 27 + i] & 0xFF;
    }
    putLe(d, p + 22, OggPackets.crc(d, p, length) & 0xFFFFFFFFL, 4);
  }

  /** Sets the granule position of the Ogg page at {@code p} and fixes its checksum. */
  static void setGranule(byte[] d, int p, long granule) {
    putLe(d, p + 6, granule, 8);
    fixOggCrc(d, p);
  }

  /** Writes {@code bytes} little-endian bytes of {@code v} at {@code p}. */
  static void putLe(byte[] d, int p, long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      d[p + i] = (byte) (v >>> (8 * i));
    }
  }

  /** Where {@code ascii} first occurs in {@code d}, or -1. */
  static int indexOf(byte[] d, String ascii) {
    outer:
    for (int p = 0; p + ascii.length() <= d.length; p++) {
      for (int i = 0; i < ascii.length(); i++) {
        if (d[p + i] != ascii.charAt(i)) {
          continue outer;
        }
      }
      return p;
    }
    return -1;
  }

  /** The amplitude of the {@code hz} component of {@code s} (a single-bin DFT). */
  static double amplitude(float[] s, double hz, int rate) {
    double re = 0;
    double im = 0;
    for (int i = 0; i < s.length; i++) {
      double a = 2 * Math.PI * hz * i / rate;
      re += s[i] * Math.cos(a);
      im += s[i] * Math.sin(a);
    }
    return 2 * Math.hypot(re, im) / s.length;
  }

  /**
   * The best normalized cross-correlation of {@code a} with {@code b} shifted by up to
   * {@code maxLag} samples either way (codecs add a delay).
   */
  static double correlation(float[] a, float[] b, int maxLag) {
    double best = -1;
    for (int lag = -maxLag; lag <= maxLag; lag++) {
      double ab = 0;
      double aa = 0;
      double bb = 0;
      for (int i = 0; i < a.length; i++) {
        int j = i + lag;
        if (j < 0 || j >= b.length) {
          continue;
        }
        ab += a[i] * b[j];
        aa += a[i] * a[i];
        bb += b[j] * b[j];
      }
      if (aa > 0 && bb > 0) {
        best = Math.max(best, ab / Math.sqrt(aa * bb));
      }
    }
    return best;
  }
}
