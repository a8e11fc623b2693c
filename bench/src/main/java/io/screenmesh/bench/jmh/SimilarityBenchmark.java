package io.screenmesh.bench.jmh;

import io.screenmesh.kernels.Similarity;
import io.screenmesh.kernels.TopK;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cosine top-10 of 64 raw queries against a resident set of normalized 384-dimensional references,
 * as the peer {@code bench_embed.py} (numpy matmul on OpenBLAS + argpartition). One operation is
 * one batch of 64 queries, normalization of the queries included: queries per second = 64 × ops/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SimilarityBenchmark {
    /** Queries per batch. */
    public static final int QUERIES = 64;
    /** Results per query. */
    public static final int K = 10;

    /** Backend id: java, native or cuda. */
    @Param({"java"})
    public String backend;

    /** Number of references. */
    @Param({"100000"})
    public int references;

    /** Embedding dimension. */
    @Param({"384"})
    public int dimension;

    private Similarity.References set;
    private float[] queries;

    /** Starts the backend and uploads standard-normal references (the backend normalizes them). */
    @Setup(Level.Trial)
    public void setUp() {
        Similarity similarity = Similarity.on(Backends.start(backend));
        SplittableRandom random = new SplittableRandom(0);
        float[] refs = new float[Math.multiplyExact(references, dimension)];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = (float) random.nextGaussian();
        }
        set = similarity.load(refs, references, dimension);
        queries = new float[QUERIES * dimension];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = (float) random.nextGaussian();
        }
    }

    /** Frees the resident set. */
    @TearDown(Level.Trial)
    public void tearDown() {
        set.close();
    }

    /** Top-10 of 64 queries. */
    @Benchmark
    public TopK topK() {
        return set.topK(queries, QUERIES, K);
    }
}
