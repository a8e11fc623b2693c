package io.screenmesh.image.adversarial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.kernels.AccelerationProviders;
import io.screenmesh.kernels.Nhwc;
import io.screenmesh.kernels.Squeeze;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Squeezer lists: parsing, formatting and chains against the facade's steps done by hand. */
class SqueezerTest {

  private static final Squeeze JAVA = Squeeze.on(AccelerationProviders.create("java"));

  @Test
  void listsAndChainsRoundTrip() {
    List<Squeezer> s = Squeezer.parseList(" bit-depth:1 + median:2 , median:3,BIT-DEPTH:4");
    assertEquals(3, s.size());
    assertEquals(2, s.getFirst().steps().size());
    assertEquals("bit-depth:1+median:2,median:3,bit-depth:4", Squeezer.format(s));
    assertEquals(s, Squeezer.parseList(Squeezer.format(s)));
  }

  @Test
  void badEntriesAreRefusedWithTheReason() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Squeezer.parseList("blur:2")).getMessage()
        .contains("unknown squeezer 'blur'"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Squeezer.parseList("median:4")).getMessage()
        .contains("2 or 3"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Squeezer.parseList("bit-depth:8")).getMessage()
        .contains("1..7"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Squeezer.parseList("median")).getMessage()
        .contains("needs a parameter"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Squeezer.parseList(" , ")).getMessage()
        .contains("no squeezer"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClassifierConfig.from(Map.of("model", MnistFixtures.MODEL.toString(), "height", "28", "width", "28",
            "channels", "1", "squeezers", "median:5")));
    assertTrue(e.getMessage().startsWith(ClassifierConfig.PREFIX + "squeezers"), e.getMessage());
  }

  @Test
  void aChainIsItsStepsInTurn() {
    Nhwc shape = new Nhwc(3, 13, 7, 1);
    byte[] in = new byte[(int) shape.elements()];
    new Random(5).nextBytes(in);
    byte[] bits = new byte[in.length];
    JAVA.bitDepth(in, bits, 1);
    byte[] expected = new byte[in.length];
    JAVA.median(bits, expected, shape, 2);
    byte[] out = new byte[in.length];
    Squeezer.parseList("bit-depth:1+median:2").getFirst().apply(JAVA, in, out, shape);
    assertArrayEquals(expected, out);
    assertFalse(java.util.Arrays.equals(bits, out), "the median changed nothing: a vacuous test");
  }
}
