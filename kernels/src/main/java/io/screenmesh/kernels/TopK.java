package io.screenmesh.kernels;

/**
 * The k best references of each of a batch of queries, best first, ties by lower index.
 *
 * @param queries number of queries
 * @param k       results per query
 * @param indices reference indices, {@code indices[q·k + r]}
 * @param scores  cosine similarities, {@code scores[q·k + r]}
 */
public record TopK(int queries, int k, int[] indices, float[] scores) {
    /** The reference index at rank {@code r} (0 = best) for query {@code q}. */
    public int index(int q, int r) {
        return indices[q * k + r];
    }

    /** The cosine similarity at rank {@code r} for query {@code q}. */
    public float score(int q, int r) {
        return scores[q * k + r];
    }
}
