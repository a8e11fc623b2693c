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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Normalize, cosine and top-k: accelerated backends against the oracle; ties; resident-set lifecycle. */
class SimilarityTest {
    static final int[] SIZES = {1, 3, 13, 224, 4098};
    static final int[] DIMS = {1, 3, 13, 384, 512};

    static List<String> backends() {
        return Backends.accelerated();
    }

    static List<String> all() {
        return Backends.all();
    }

    static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void topKIndicesAndScoresMatchTheOracle(String id) {
        Similarity fast = Similarity.on(Backends.require(id));
        Similarity oracle = Similarity.on(Backends.ORACLE);
        for (int n : SIZES) {
            for (int dim : DIMS) {
                if (dim == 1 && n > 3) {
                    continue; // in one dimension every cosine is ±1: all ties, covered by the tie test
                }
                int q = n == 4098 ? 13 : 3;
                float[] refs = gaussian(n * dim, n * 31L + dim);
                float[] queries = gaussian(q * dim, n * 17L + dim);
                int k = Math.min(10, n);
                try (var f = fast.load(refs, n, dim); var o = oracle.load(refs, n, dim)) {
                    TopK expected = o.topK(queries, q, k);
                    TopK actual = f.topK(queries, q, k);
                    float[] all = new float[q * n];
                    o.cosine(queries, q, all);
                    for (int i = 0; i < q; i++) {
                        for (int r = 0; r < k; r++) {
                            String what = id + " n=" + n + " dim=" + dim + " query " + i + " rank " + r;
                            assertEquals(expected.score(i, r), actual.score(i, r), 1e-5, what);
                            if (expected.index(i, r) != actual.index(i, r)) {
                                // Only a tie within float rounding may order differently; anything else is a bug.
                                double gap = Math.abs(all[i * n + expected.index(i, r)] - all[i * n + actual.index(i, r)]);
                                assertTrue(gap <= 1e-6, what + ": index " + actual.index(i, r) + " != " + expected.index(i, r));
                            }
                        }
                    }
                    float[] fastAll = new float[q * n];
                    f.cosine(queries, q, fastAll);
                    for (int i = 0; i < all.length; i++) {
                        assertEquals(all[i], fastAll[i], 1e-5, id + " cosine n=" + n + " dim=" + dim + " at " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("all")
    void tiesGoToTheLowerIndex(String id) {
        Similarity sim = Similarity.on(Backends.require(id));
        int dim = 384;
        int n = 4098;
        float[] refs = gaussian(n * dim, 5);
        float[] target = gaussian(dim, 6);
        // Exact copies (and a scaled copy, equal after normalization) at scattered positions.
        int[] copies = {4097, 17, 2050, 33, 1000};
        for (int j : copies) {
            for (int d = 0; d < dim; d++) {
                refs[j * dim + d] = j == 1000 ? target[d] * 4f : target[d];
            }
        }
        try (var r = sim.load(refs, n, dim)) {
            TopK top = r.topK(target, 5);
            assertArrayEquals(new int[] {17, 33, 1000, 2050, 4097}, top.indices(), id + ": " + java.util.Arrays.toString(top.indices()));
            for (int i = 0; i < 5; i++) {
                assertEquals(1f, top.scores()[i], 1e-5);
            }
        }
        // One dimension: every cosine is exactly +1 or -1, so the order is purely the tie rule.
        float[] signs = {-2f, 3f, 0.5f, -1f, 7f, 1f};
        try (var r = sim.load(signs, signs.length, 1)) {
            assertArrayEquals(new int[] {1, 2, 4, 5, 0, 3}, r.topK(new float[] {1f}, 6).indices(), id);
        }
    }

    @ParameterizedTest
    @MethodSource("all")
    void normalizeKeepsZeroRowsAndWorksOffHeap(String id) {
        Similarity sim = Similarity.on(Backends.require(id));
        float[] x = {3f, 4f, 0f, 0f, -1f, 0f};
        float[] y = new float[6];
        sim.normalize(x, y, 3, 2);
        assertArrayEquals(new float[] {0.6f, 0.8f, 0f, 0f, -1f, 0f}, y, 1e-7f);
        try (Arena arena = Arena.ofConfined(); var r = sim.load(segment(arena, gaussian(224 * 13, 1)), 224, 13)) {
            assertEquals(10, r.topK(segment(arena, gaussian(3 * 13, 2)), 3, 10).indices().length / 3);
        }
    }

    private static MemorySegment segment(Arena arena, float[] values) {
        MemorySegment s = arena.allocate((long) values.length * Float.BYTES, 64);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s;
    }

    @ParameterizedTest
    @MethodSource("all")
    void aClosedReferenceSetRefusesQueriesAndClosesTwice(String id) {
        var r = Similarity.on(Backends.require(id)).load(gaussian(13 * 3, 1), 13, 3);
        r.close();
        r.close();
        assertThrows(IllegalStateException.class, () -> r.topK(new float[3], 1));
    }

    @Test
    void facadeSaysTheNumbers() {
        try (var r = Similarity.on(Backends.ORACLE).load(new float[3 * 768], 3, 768)) {
            var e = assertThrows(IllegalArgumentException.class, () -> r.topK(new float[512], 1));
            assertEquals("dimensions differ: 512 != 768", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> r.topK(new float[768], 4));
            assertEquals("k must be in [1, 3]: 4", e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Similarity.on(Backends.ORACLE).load(new float[10], 3, 4));
        assertEquals("references length differs: 10 != 12", e.getMessage());
    }
}
