package io.screenmesh.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Cosine similarity of embeddings against a reference set kept resident by the backend
 * (host memory for java/native, device memory for cuda): L2 normalization, Q×N scores and top-k
 * with ties broken by the lower index.
 *
 * <p>Checks every argument (the dimension mismatch message says the numbers:
 * {@code "dimensions differ: 512 != 768"}), then delegates to the chosen backend.
 */
public final class Similarity {
    /** Largest supported k, which keeps the per-query selection in cache. */
    public static final int MAX_K = 4096;

    private final AccelerationProvider provider;

    private Similarity(AccelerationProvider provider) {
        this.provider = Checks.provider(provider);
    }

    /** The facade over the provider chosen for this JVM. */
    public static Similarity get() {
        return new Similarity(AccelerationProviders.current());
    }

    /** The facade over a specific provider (tests, benchmarks). */
    public static Similarity on(AccelerationProvider provider) {
        return new Similarity(provider);
    }

    /** The backend that does the work. */
    public Backend backend() {
        return provider.backend();
    }

    /**
     * L2-normalizes {@code rows} rows of {@code dim} floats ({@code in} and {@code out} may be the
     * same array); a zero row stays zero.
     *
     * @throws IllegalArgumentException when an array length is not {@code rows·dim}
     */
    public void normalize(float[] in, float[] out, int rows, int dim) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Checks.positive("rows", rows);
        Checks.positive("dim", dim);
        Checks.length("in", in.length, (long) rows * dim);
        Checks.length("out", out.length, (long) rows * dim);
        provider.normalize(MemorySegment.ofArray(in), MemorySegment.ofArray(out), rows, dim);
    }

    /**
     * Uploads {@code count×dim} row-major references (normalized by the backend); the array may be
     * reused afterwards.
     *
     * @throws IllegalArgumentException when the array length is not {@code count·dim}
     */
    public References load(float[] references, int count, int dim) {
        Objects.requireNonNull(references, "references");
        Checks.positive("count", count);
        Checks.positive("dim", dim);
        Checks.length("references", references.length, (long) count * dim);
        return load(MemorySegment.ofArray(references), count, dim);
    }

    /**
     * Uploads {@code count×dim} row-major references from a segment (heap, off-heap or mapped file).
     *
     * @throws IllegalArgumentException when the segment is too small or misaligned
     */
    public References load(MemorySegment references, int count, int dim) {
        Checks.positive("count", count);
        Checks.positive("dim", dim);
        MemorySegment r = Checks.elements(references, "references", (long) count * dim, Float.BYTES);
        return new References(provider.upload(r, count, dim));
    }

    /**
     * A resident reference set. Holds backend memory: close it (idempotent); use after close throws
     * {@link IllegalStateException}. Safe for concurrent queries.
     */
    public static final class References implements AutoCloseable {
        private final ResidentReferences handle;
        private volatile boolean closed;

        private References(ResidentReferences handle) {
            this.handle = handle;
        }

        /** Number of reference rows. */
        public int count() {
            return handle.count();
        }

        /** Dimension of each row. */
        public int dimension() {
            return handle.dimension();
        }

        /** The backend holding the references. */
        public Backend backend() {
            return handle.owner().backend();
        }

        /**
         * The k best references for one query.
         *
         * @throws IllegalArgumentException when the query's dimension differs or k is out of range
         * @throws IllegalStateException    after close
         */
        public TopK topK(float[] query, int k) {
            Objects.requireNonNull(query, "query");
            dimension(query.length);
            return topK(MemorySegment.ofArray(query), 1, k);
        }

        /**
         * The k best references for each of {@code queryCount} row-major queries.
         *
         * @throws IllegalArgumentException when the queries' size is not {@code queryCount·dim} or k is out of range
         * @throws IllegalStateException    after close
         */
        public TopK topK(float[] queries, int queryCount, int k) {
            Objects.requireNonNull(queries, "queries");
            Checks.positive("queryCount", queryCount);
            if (queries.length % queryCount != 0) {
                throw new IllegalArgumentException("queries length " + queries.length + " is not a multiple of " + queryCount);
            }
            dimension(queries.length / queryCount);
            return topK(MemorySegment.ofArray(queries), queryCount, k);
        }

        /**
         * The k best references for each of {@code queryCount} queries held in a segment.
         *
         * @throws IllegalArgumentException when the segment is too small or k is out of range
         * @throws IllegalStateException    after close
         */
        public TopK topK(MemorySegment queries, int queryCount, int k) {
            open();
            Checks.positive("queryCount", queryCount);
            if (k < 1 || k > Math.min(count(), MAX_K)) {
                throw new IllegalArgumentException("k must be in [1, " + Math.min(count(), MAX_K) + "]: " + k);
            }
            MemorySegment q = Checks.elements(queries, "queries", (long) queryCount * dimension(), Float.BYTES);
            int[] indices = new int[Math.multiplyExact(queryCount, k)];
            float[] scores = new float[indices.length];
            handle.owner().topK(handle, q, queryCount, k, indices, scores);
            return new TopK(queryCount, k, indices, scores);
        }

        /**
         * Cosine similarity of each query against every reference into {@code scores}
         * ({@code queryCount × count} floats).
         *
         * @throws IllegalArgumentException when the queries' dimension differs or {@code scores} is too small
         * @throws IllegalStateException    after close
         */
        public void cosine(float[] queries, int queryCount, float[] scores) {
            Objects.requireNonNull(queries, "queries");
            Objects.requireNonNull(scores, "scores");
            Checks.positive("queryCount", queryCount);
            if (queries.length % queryCount != 0) {
                throw new IllegalArgumentException("queries length " + queries.length + " is not a multiple of " + queryCount);
            }
            dimension(queries.length / queryCount);
            Checks.length("scores", scores.length, (long) queryCount * count());
            cosine(MemorySegment.ofArray(queries), queryCount, MemorySegment.ofArray(scores));
        }

        /**
         * Cosine similarity of queries held in a segment into a segment of {@code queryCount × count} floats.
         *
         * @throws IllegalArgumentException when a segment is too small
         * @throws IllegalStateException    after close
         */
        public void cosine(MemorySegment queries, int queryCount, MemorySegment scores) {
            open();
            Checks.positive("queryCount", queryCount);
            MemorySegment q = Checks.elements(queries, "queries", (long) queryCount * dimension(), Float.BYTES);
            MemorySegment s = Checks.elements(scores, "out scores", (long) queryCount * count(), Float.BYTES);
            Checks.overlap(q, s, false);
            handle.owner().cosine(handle, q, queryCount, s);
        }

        /** Frees the backend memory; idempotent. */
        @Override
        public void close() {
            closed = true;
            handle.close();
        }

        private void dimension(int actual) {
            if (actual != dimension()) {
                throw new IllegalArgumentException("dimensions differ: " + actual + " != " + dimension());
            }
        }

        private void open() {
            if (closed) {
                throw new IllegalStateException("reference set is closed");
            }
        }
    }
}
