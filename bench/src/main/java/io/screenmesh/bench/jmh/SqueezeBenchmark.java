package io.screenmesh.bench.jmh;

import io.screenmesh.kernels.Nhwc;
import io.screenmesh.kernels.Squeeze;
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

/**
 * Feature squeezing of one 64×224×224×3 float32 batch in [0, 1), the batch of the peer
 * {@code bench_image.py}: bit depth 5 (ART {@code FeatureSqueezing}) and median 3×3 / 2×2 (ART
 * {@code SpatialSmoothing}). One operation is one batch: images per second = 64 × ops/s.
 *
 * <p>Bit depth writes into a second array, as numpy's in-place peer does ({@code out=}), so each
 * value is read once and written once: the same traffic as a memory copy of the batch, which is
 * why {@link MemoryCopyBenchmark} is its bound.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SqueezeBenchmark {
    /** Images per batch. */
    public static final int BATCH = 64;
    /** The batch's shape, NHWC. */
    public static final Nhwc SHAPE = new Nhwc(BATCH, 224, 224, 3);

    /** Backend id: java, native or cuda. */
    @Param({"java"})
    public String backend;

    private Squeeze squeeze;
    private float[] in;
    private float[] out;

    /** Starts the backend and fills the batch with uniform values, like the peer's {@code rng.random}. */
    @Setup(Level.Trial)
    public void setUp() {
        squeeze = Squeeze.on(Backends.start(backend));
        in = new float[Math.toIntExact(SHAPE.elements())];
        out = new float[in.length];
        SplittableRandom random = new SplittableRandom(0);
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) random.nextDouble();
        }
    }

    /** Bit depth 5 with clip range [0, 1], as the peer's FeatureSqueezing. */
    @Benchmark
    public float[] bitDepth5() {
        squeeze.bitDepth(in, out, 5, 0f, 1f);
        return out;
    }

    /** Median 3×3, reflect boundary. */
    @Benchmark
    public float[] median3x3() {
        squeeze.median(in, out, SHAPE, 3);
        return out;
    }

    /** Median 2×2, reflect boundary. */
    @Benchmark
    public float[] median2x2() {
        squeeze.median(in, out, SHAPE, 2);
        return out;
    }
}
