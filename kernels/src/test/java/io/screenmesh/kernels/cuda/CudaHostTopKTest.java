package io.screenmesh.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.screenmesh.kernels.Similarity;
import io.screenmesh.kernels.TopK;
import io.screenmesh.kernels.java.JavaAccelerationProvider;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The host-side selection the cuda backend uses for k beyond its kernels' limit, against the oracle. */
class CudaHostTopKTest {

    @Test
    void ordersLikeTheOracleIncludingTiesAndNegativeScores() {
        Random random = new Random(11);
        int count = 4098;
        int dim = 5;
        float[] refs = new float[count * dim];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = (float) random.nextGaussian();
        }
        // Exact duplicates make exact ties, which must come out lower index first.
        for (int j : new int[] {7, 300, 301, 4000}) {
            System.arraycopy(refs, 3 * dim, refs, j * dim, dim);
        }
        float[] queries = new float[3 * dim];
        System.arraycopy(refs, 3 * dim, queries, 0, dim);
        for (int i = dim; i < queries.length; i++) {
            queries[i] = (float) random.nextGaussian();
        }
        Similarity oracle = Similarity.on(new JavaAccelerationProvider());
        try (Similarity.References r = oracle.load(refs, count, dim)) {
            for (int k : new int[] {1, 5, 129, 1000, Similarity.MAX_K}) {
                TopK expected = r.topK(queries, 3, k);
                float[] scores = new float[3 * count];
                r.cosine(queries, 3, scores);
                int[] indices = new int[3 * k];
                float[] best = new float[3 * k];
                for (int q = 0; q < 3; q++) {
                    CudaAccelerationProvider.hostTopK(scores, q * count, count, k, indices, best, q * k);
                }
                assertArrayEquals(expected.indices(), indices, "k=" + k);
                assertArrayEquals(expected.scores(), best, "k=" + k);
            }
        }
    }
}
