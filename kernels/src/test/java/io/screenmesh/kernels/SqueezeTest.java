package io.screenmesh.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every backend against the java oracle, bit for bit, over awkward shapes. */
class SqueezeTest {
    static final List<Nhwc> SHAPES = List.of(new Nhwc(1, 1, 1, 1), new Nhwc(3, 3, 3, 3), new Nhwc(1, 13, 13, 1),
            new Nhwc(3, 1, 13, 3), new Nhwc(2, 13, 1, 2), new Nhwc(1, 224, 224, 3), new Nhwc(1, 4098, 3, 1),
            new Nhwc(1, 3, 4098, 4), new Nhwc(5, 7, 13, 3));

    static List<String> backends() {
        return Backends.accelerated();
    }

    /** Floats in [0, 1) plus exact rounding ties, values outside the clip range and signed zeros. */
    static float[] floats(long n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[Math.toIntExact(n)];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (i % 11) {
                case 3 -> (r.nextInt(32) + 0.5f) / 31f; // a tie of rint(x*31) after rounding
                case 5 -> r.nextInt(256) / 255f;
                case 7 -> -0.25f + 1.5f * r.nextFloat();
                case 9 -> r.nextBoolean() ? 0f : -0f;
                default -> r.nextFloat();
            };
        }
        return x;
    }

    static byte[] bytes(long n, long seed) {
        byte[] b = new byte[Math.toIntExact(n)];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void bitDepthMatchesOracleBitForBit(String id) {
        Squeeze fast = Squeeze.on(Backends.require(id));
        Squeeze oracle = Squeeze.on(Backends.ORACLE);
        for (int n : new int[] {1, 3, 13, 224, 4098, 224 * 224 * 3 * 3 + 5}) {
            float[] x = floats(n, n);
            for (int bits = 1; bits <= 8; bits++) {
                for (float[] clip : new float[][] {{0f, 1f}, {-1f, 1f}, {0f, 255f}, {0.1f, 0.7f}}) {
                    float[] expected = new float[n];
                    float[] actual = new float[n];
                    oracle.bitDepth(x, expected, bits, clip[0], clip[1]);
                    fast.bitDepth(x, actual, bits, clip[0], clip[1]);
                    assertBitsEqual(expected, actual, "n=" + n + " bits=" + bits + " clip=" + clip[0] + ".." + clip[1]);
                }
            }
            byte[] b = bytes(n, n);
            for (int bits = 1; bits <= 8; bits++) {
                byte[] expected = new byte[n];
                byte[] actual = new byte[n];
                oracle.bitDepth(b, expected, bits);
                fast.bitDepth(b, actual, bits);
                assertArrayEquals(expected, actual, "uint8 n=" + n + " bits=" + bits);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void bitDepthInPlaceAndOffHeap(String id) {
        Squeeze fast = Squeeze.on(Backends.require(id));
        float[] x = floats(100_003, 7);
        float[] expected = new float[x.length];
        Squeeze.on(Backends.ORACLE).bitDepth(x, expected, 5, 0f, 1f);
        float[] inPlace = x.clone();
        fast.bitDepth(inPlace, inPlace, 5, 0f, 1f);
        assertBitsEqual(expected, inPlace, "in place");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate((long) x.length * Float.BYTES, 64);
            MemorySegment.copy(x, 0, seg, ValueLayout.JAVA_FLOAT, 0, x.length);
            fast.bitDepth(seg, seg, x.length, 5, 0f, 1f);
            assertBitsEqual(expected, seg.toArray(ValueLayout.JAVA_FLOAT), "off-heap");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void medianMatchesOracleBitForBit(String id) {
        Squeeze fast = Squeeze.on(Backends.require(id));
        Squeeze oracle = Squeeze.on(Backends.ORACLE);
        for (Nhwc s : SHAPES) {
            float[] x = floats(s.elements(), s.elements() + 1);
            byte[] b = bytes(s.elements(), s.elements() + 2);
            for (int w : new int[] {2, 3}) {
                float[] fe = new float[x.length];
                float[] fa = new float[x.length];
                oracle.median(x, fe, s, w);
                fast.median(x, fa, s, w);
                assertSameMedian(fe, fa, "float32 " + s + " window " + w);
                byte[] be = new byte[b.length];
                byte[] ba = new byte[b.length];
                oracle.median(b, be, s, w);
                fast.median(b, ba, s, w);
                assertArrayEquals(be, ba, "uint8 " + s + " window " + w);
            }
        }
    }

    @Test
    void oracleMedianPicksTheUpperOfFourAndReflects() {
        // 2x2 covers (y-1..y, x-1..x); at (0,0) every tap reflects onto the pixel itself.
        float[] x = {0, 1, 4, 2, 2, 4, 1, 0, 1, 4, 2, 2, 4, 1, 0, 1};
        float[] out = new float[16];
        Squeeze.on(Backends.ORACLE).median(x, out, new Nhwc(1, 4, 4, 1), 2);
        // scipy.ndimage.median_filter(x, size=(1,2,2,1), mode="reflect")
        assertArrayEquals(new float[] {0, 1, 4, 4, 2, 2, 4, 2, 2, 4, 4, 2, 4, 4, 2, 2}, out);
    }

    @Test
    void facadeSaysTheNumbers() {
        Squeeze s = Squeeze.on(Backends.ORACLE);
        var e = assertThrows(IllegalArgumentException.class, () -> s.bitDepth(new float[4], new float[5], 5, 0f, 1f));
        assertEquals("out length differs: 5 != 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.bitDepth(new float[4], new float[4], 9, 0f, 1f));
        assertEquals("bit depth must be in [1, 8]: 9", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> s.median(new float[12], new float[12], new Nhwc(1, 2, 2, 3), 4));
        assertEquals("median window must be 2 or 3: 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> s.median(new float[11], new float[12], new Nhwc(1, 2, 2, 3), 3));
        assertEquals("in length differs: 11 != 12", e.getMessage());
        float[] same = new float[12];
        e = assertThrows(IllegalArgumentException.class, () -> s.median(same, same, new Nhwc(1, 2, 2, 3), 3));
        assertEquals("in and out overlap; this operation needs disjoint buffers", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.bitDepth(new float[4], new float[4], 5, 1f, 1f));
    }

    /** Bit for bit, except that -0 and +0 rank equal, so a median may return either (as scipy may). */
    static void assertSameMedian(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == 0f && actual[i] == 0f) {
                continue;
            }
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }
}
