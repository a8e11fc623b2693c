package io.screenmesh.bench.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The machine's memory-copy bandwidth, the bound that bit-depth squeezing (one read, one write per
 * value) can at best reach: two threads each copy their half of 1 GiB into a second 1 GiB buffer.
 *
 * <p>One operation is one thread copying its half (512 MiB), so it moves 1 GiB counting bytes read
 * plus bytes written, the way the numpy peer {@code bench_membw.py} counts; JMH sums the two
 * threads' operations, so GB/s = ops/s × 2^30 / 10^9. Pages of both buffers are touched in setup
 * so no page fault is timed.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(MemoryCopyBenchmark.THREADS)
public class MemoryCopyBenchmark {
    /** Size of each buffer: 1 GiB, far beyond any cache. */
    public static final long BYTES = 1L << 30;
    /** Copying threads; each copies its own half, so one operation per thread moves BYTES/THREADS. */
    public static final int THREADS = 2;

    /** Two off-heap buffers of {@link #BYTES}, touched in setup. */
    @State(Scope.Benchmark)
    public static class OffHeap {
        Arena arena;
        MemorySegment src;
        MemorySegment dst;

        /** Allocates and touches both buffers. */
        @Setup(Level.Trial)
        public void allocate() {
            arena = Arena.ofShared();
            src = arena.allocate(BYTES, 64);
            dst = arena.allocate(BYTES, 64);
            src.fill((byte) 1);
            dst.fill((byte) 0);
        }

        /** Frees both buffers. */
        @TearDown(Level.Trial)
        public void free() {
            arena.close();
        }
    }

    /** Two heap arrays of {@link #BYTES}; kept apart from {@link OffHeap} so a run allocates only one pair. */
    @State(Scope.Benchmark)
    public static class Heap {
        long[] src;
        long[] dst;

        /** Allocates and touches both arrays. */
        @Setup(Level.Trial)
        public void allocate() {
            src = new long[(int) (BYTES / Long.BYTES)];
            dst = new long[src.length];
            Arrays.fill(src, 1L);
        }
    }

    /** Each thread's half of the buffers, chosen once per thread. */
    @State(Scope.Thread)
    public static class Half {
        private static final AtomicInteger NEXT = new AtomicInteger();
        int index;

        /** Takes the next half. */
        @Setup(Level.Trial)
        public void pick() {
            index = NEXT.getAndIncrement() % THREADS;
        }
    }

    /** Off-heap copy with {@link MemorySegment#copy}. */
    @Benchmark
    public void segmentCopy(OffHeap buffers, Half half) {
        long part = BYTES / THREADS;
        MemorySegment.copy(buffers.src, half.index * part, buffers.dst, half.index * part, part);
    }

    /** On-heap copy with {@link System#arraycopy}. */
    @Benchmark
    public void arrayCopy(Heap buffers, Half half) {
        int part = buffers.src.length / THREADS;
        System.arraycopy(buffers.src, half.index * part, buffers.dst, half.index * part, part);
    }
}
