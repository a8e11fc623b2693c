package io.screenmesh.image.ocr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The pre-processing steps on tiny rasters. */
class GrayImageTest {

  private static GrayImage of(int w, int h, int... v) {
    byte[] px = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      px[i] = (byte) v[i];
    }
    return new GrayImage(w, h, px);
  }

  @Test
  void quarterTurnsComposeToTheOriginal() {
    GrayImage g = of(3, 2, 1, 2, 3, 4, 5, 6);
    assertArrayEquals(of(2, 3, 4, 1, 5, 2, 6, 3).pixels(), g.rotated(90).pixels());
    assertArrayEquals(of(3, 2, 6, 5, 4, 3, 2, 1).pixels(), g.rotated(180).pixels());
    assertArrayEquals(g.pixels(), g.rotated(90).rotated(270).pixels());
    assertEquals(3, g.rotated(270).height());
  }

  @Test
  void stretchSpreadsGreyOnGrey() {
    int[] v = new int[100];
    for (int i = 0; i < v.length; i++) {
      v[i] = i < 80 ? 146 : 128;
    }
    GrayImage s = of(10, 10, v).stretched();
    assertEquals(255, s.pixels()[0] & 0xff);
    assertEquals(0, s.pixels()[99] & 0xff);
    GrayImage flat = of(2, 1, 90, 91);
    assertArrayEquals(flat.pixels(), flat.stretched().pixels());
  }

  @Test
  void darkBackgroundAndInversion() {
    GrayImage dark = of(3, 1, 10, 20, 250);
    assertTrue(dark.darkBackground());
    assertFalse(dark.inverted().darkBackground());
    assertEquals(245, dark.inverted().pixels()[0] & 0xff);
  }

  @Test
  void upscaleKeepsFlatAreasFlat() {
    GrayImage g = of(2, 2, 50, 50, 50, 50).scaled(2);
    assertEquals(4, g.width());
    for (byte b : g.pixels()) {
      assertEquals(50, b & 0xff);
    }
  }
}
