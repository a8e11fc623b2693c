package io.screenmesh.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.kernels.GateConfig;
import io.screenmesh.kernels.Nhwc;
import io.screenmesh.kernels.Similarity;
import io.screenmesh.kernels.Spectral;
import io.screenmesh.kernels.Squeeze;
import io.screenmesh.kernels.TopK;
import io.screenmesh.kernels.java.JavaAccelerationProvider;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cuda backend against the java oracle, with the suite's sizes and tolerances: squeeze bit for
 * bit, spectral within 1e-4 relative (reconstruction within 1e-5), similarity with identical
 * top-k indices and scores within 1e-5. Skipped, with the probe's reason, without a device.
 */
class CudaCorrectnessTest {
    private static final int[] SIZES = {1, 3, 13, 224, 4098};

    private static CudaAccelerationProvider cuda;
    private static final String[] SKIP_REASON = new String[1];
    private static final JavaAccelerationProvider ORACLE = new JavaAccelerationProvider();

    @BeforeAll
    static void start() {
        cuda = CudaTestSupport.startOrExplain(SKIP_REASON);
    }

    // Per test rather than per class, so that every skipped test is reported with the reason.
    @BeforeEach
    void requireDevice() {
        CudaTestSupport.assumeStarted(cuda, SKIP_REASON);
    }

    @AfterAll
    static void stop() {
        if (cuda != null) {
            cuda.close();
        }
    }

    private static float[] uniform(Random random, int n, float lo, float hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * random.nextFloat();
        }
        return x;
    }

    @Test
    void bitDepthIsBitIdenticalForFloatAndByte() {
        Random random = new Random(1);
        Squeeze gpu = Squeeze.on(cuda);
        Squeeze cpu = Squeeze.on(ORACLE);
        int[][] shapes = {{1, 1, 1, 1}, {3, 2, 3, 1}, {5, 13, 7, 3}, {3, 224, 224, 3}};
        for (int[] s : shapes) {
            Nhwc shape = new Nhwc(s[0], s[1], s[2], s[3]);
            int n = (int) shape.elements();
            float[] x = uniform(random, n, -0.1f, 1.1f); // includes values outside the clip range
            for (int bits = 1; bits <= 8; bits++) {
                for (float[] clip : new float[][] {{0f, 1f}, {-1f, 1f}}) {
                    float[] expected = new float[n];
                    float[] actual = new float[n];
                    cpu.bitDepth(x, expected, bits, clip[0], clip[1]);
                    gpu.bitDepth(x, actual, bits, clip[0], clip[1]);
                    assertArrayEquals(expected, actual, shape + " bits " + bits);
                }
                byte[] b = new byte[n];
                random.nextBytes(b);
                byte[] expected = new byte[n];
                byte[] actual = new byte[n];
                cpu.bitDepth(b, expected, bits);
                gpu.bitDepth(b, actual, bits);
                assertArrayEquals(expected, actual, shape + " u8 bits " + bits);
            }
        }
        // Every uint8 value and the float half-way points, where rounding decides.
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        float[] halves = new float[512];
        for (int i = 0; i < halves.length; i++) {
            halves[i] = (i + 0.5f) / 511f;
        }
        for (int bits = 1; bits <= 8; bits++) {
            byte[] e = new byte[256];
            byte[] a = new byte[256];
            cpu.bitDepth(all, e, bits);
            gpu.bitDepth(all, a, bits);
            assertArrayEquals(e, a, "all uint8 values, bits " + bits);
            float[] ef = new float[halves.length];
            float[] af = new float[halves.length];
            cpu.bitDepth(halves, ef, bits, 0f, 1f);
            gpu.bitDepth(halves, af, bits, 0f, 1f);
            assertArrayEquals(ef, af, "half-way points, bits " + bits);
        }
    }

    @Test
    void medianIsBitIdenticalAtEveryBoundary() {
        Random random = new Random(2);
        Squeeze gpu = Squeeze.on(cuda);
        Squeeze cpu = Squeeze.on(ORACLE);
        int[][] shapes = {{1, 1, 1, 1}, {1, 2, 3, 1}, {3, 2, 3, 3}, {5, 13, 7, 3}, {1, 7, 13, 1}, {3, 224, 224, 3}};
        for (int[] s : shapes) {
            Nhwc shape = new Nhwc(s[0], s[1], s[2], s[3]);
            int n = (int) shape.elements();
            float[] x = uniform(random, n, 0f, 1f);
            byte[] b = new byte[n];
            random.nextBytes(b);
            for (int window : new int[] {2, 3}) {
                float[] expected = new float[n];
                float[] actual = new float[n];
                cpu.median(x, expected, shape, window);
                gpu.median(x, actual, shape, window);
                assertArrayEquals(expected, actual, shape + " f32 " + window + "x" + window);
                byte[] eb = new byte[n];
                byte[] ab = new byte[n];
                cpu.median(b, eb, shape, window);
                gpu.median(b, ab, shape, window);
                assertArrayEquals(eb, ab, shape + " u8 " + window + "x" + window);
            }
        }
    }

    private static void assertClose(float[] expected, float[] actual, double relative, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        double tolerance = relative * Math.max(scale, Float.MIN_NORMAL);
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) expected[i] - actual[i]);
            if (!(diff <= tolerance)) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " got " + actual[i]
                        + " (|diff| " + diff + " > " + tolerance + ")");
            }
        }
    }

    private static float[] toneInNoise(Random random, int length, int rate) {
        float[] x = new float[length];
        for (int t = 0; t < length; t++) {
            x[t] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * t / rate) + 0.05 * random.nextGaussian());
        }
        return x;
    }

    @Test
    void spectralGateMatchesTheOracleAndReconstructsExactlyWhenOpen() {
        Random random = new Random(3);
        Spectral gpu = Spectral.on(cuda);
        Spectral cpu = Spectral.on(ORACLE);
        GateConfig gate = GateConfig.defaults(16_000);
        for (int length : new int[] {1, 3, 13, 224, 4098, 32_000}) {
            for (int clips : new int[] {1, 3}) {
                float[] x = new float[clips * length];
                for (int c = 0; c < clips; c++) {
                    System.arraycopy(toneInNoise(random, length, 16_000), 0, x, c * length, length);
                }
                float[] expected = new float[x.length];
                float[] actual = new float[x.length];
                cpu.gate(x, expected, clips, length, gate);
                gpu.gate(x, actual, clips, length, gate);
                assertClose(expected, actual, 1e-4, "gate " + clips + "x" + length);
                float[] open = new float[x.length];
                gpu.gate(x, open, clips, length, gate.withPropDecrease(0f));
                assertClose(x, open, 1e-5, "open gate reconstructs " + clips + "x" + length);
            }
        }
    }

    @Test
    void meanPowerSpectrumAndFirMatchTheOracle() {
        Random random = new Random(4);
        Spectral gpu = Spectral.on(cuda);
        Spectral cpu = Spectral.on(ORACLE);
        for (int length : SIZES) {
            float[] x = toneInNoise(random, length, 16_000);
            assertClose(cpu.meanPowerSpectrum(x, 256, 64), gpu.meanPowerSpectrum(x, 256, 64), 1e-4,
                    "mean power " + length);
            for (int taps : new int[] {1, 31, 255}) {
                float[] h = Spectral.lowPassTaps(taps, 4000, 16_000);
                float[] expected = new float[length];
                float[] actual = new float[length];
                cpu.fir(x, expected, 1, length, h);
                gpu.fir(x, actual, 1, length, h);
                assertClose(expected, actual, 1e-4, "fir " + taps + " taps, length " + length);
            }
        }
    }

    @Test
    void topKIndicesAreIdenticalAndScoresWithin1e5() {
        Random random = new Random(5);
        Similarity gpu = Similarity.on(cuda);
        Similarity cpu = Similarity.on(ORACLE);
        for (int count : SIZES) {
            for (int dim : new int[] {3, 384}) {
                float[] refs = uniform(random, count * dim, -1f, 1f);
                if (count > 8) { // exact duplicates: ties must go to the lower index
                    System.arraycopy(refs, 0, refs, (count - 1) * dim, dim);
                    System.arraycopy(refs, 0, refs, (count / 2) * dim, dim);
                }
                int queryCount = 7;
                float[] queries = uniform(random, queryCount * dim, -1f, 1f);
                System.arraycopy(refs, 0, queries, 0, dim);
                try (Similarity.References c = cpu.load(refs, count, dim);
                     Similarity.References g = gpu.load(refs, count, dim)) {
                    for (int k : new int[] {1, Math.min(10, count), Math.min(200, count), Math.min(count, Similarity.MAX_K)}) {
                        TopK expected = c.topK(queries, queryCount, k);
                        TopK actual = g.topK(queries, queryCount, k);
                        String what = count + "x" + dim + " k=" + k;
                        assertArrayEquals(expected.indices(), actual.indices(), what);
                        assertArrayEquals(expected.scores(), actual.scores(), 1e-5f, what);
                    }
                    float[] expectedScores = new float[queryCount * count];
                    float[] actualScores = new float[queryCount * count];
                    c.cosine(queries, queryCount, expectedScores);
                    g.cosine(queries, queryCount, actualScores);
                    assertArrayEquals(expectedScores, actualScores, 1e-5f, "cosine " + count + "x" + dim);
                }
            }
        }
    }

    @Test
    void normalizeMatchesTheOracleAndKeepsZeroRows() {
        Random random = new Random(6);
        for (int dim : SIZES) {
            float[] x = uniform(random, 5 * dim, -3f, 3f);
            java.util.Arrays.fill(x, 2 * dim, 3 * dim, 0f);
            float[] expected = new float[x.length];
            float[] actual = new float[x.length];
            Similarity.on(ORACLE).normalize(x, expected, 5, dim);
            Similarity.on(cuda).normalize(x, actual, 5, dim);
            assertArrayEquals(expected, actual, 1e-6f, "dim " + dim);
            for (int d = 2 * dim; d < 3 * dim; d++) {
                assertEquals(0f, actual[d]);
            }
        }
    }

    @Test
    void closedReferenceSetsRefuseQueriesAndCloseTwice() {
        Similarity gpu = Similarity.on(cuda);
        Similarity.References refs = gpu.load(new float[] {1, 0, 0, 1}, 2, 2);
        assertEquals(0, refs.topK(new float[] {1, 0.1f}, 1).index(0, 0));
        refs.close();
        refs.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> refs.topK(new float[] {1, 0}, 1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
