package io.screenmesh.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Feature squeezing of NHWC image batches: bit-depth reduction and median smoothing with the exact
 * semantics of IBM ART's {@code FeatureSqueezing} and {@code SpatialSmoothing} (see
 * {@link AccelerationProvider#bitDepthF32} and {@link AccelerationProvider#medianF32}).
 *
 * <p>Checks every argument, then delegates to the chosen backend. Array methods work on the
 * caller's arrays without copying; segment methods take heap or off-heap memory, so large
 * batches need no extra copy either.
 */
public final class Squeeze {
    private final AccelerationProvider provider;

    private Squeeze(AccelerationProvider provider) {
        this.provider = Checks.provider(provider);
    }

    /** The facade over the provider chosen for this JVM ({@link AccelerationProviders#current()}). */
    public static Squeeze get() {
        return new Squeeze(AccelerationProviders.current());
    }

    /** The facade over a specific provider (tests, benchmarks). */
    public static Squeeze on(AccelerationProvider provider) {
        return new Squeeze(provider);
    }

    /** The backend that does the work. */
    public Backend backend() {
        return provider.backend();
    }

    /**
     * Reduces float32 values to {@code bits} bits within [clipMin, clipMax]; {@code in} and
     * {@code out} may be the same array.
     *
     * @throws IllegalArgumentException when lengths differ, bits is outside 1..8 or the clip range is empty
     */
    public void bitDepth(float[] in, float[] out, int bits, float clipMin, float clipMax) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Checks.length("out", out.length, in.length);
        bitDepth(MemorySegment.ofArray(in), MemorySegment.ofArray(out), in.length, bits, clipMin, clipMax);
    }

    /**
     * Reduces {@code count} float32 values to {@code bits} bits within [clipMin, clipMax];
     * {@code in} and {@code out} may be the same region.
     *
     * @throws IllegalArgumentException when a segment is too small or misaligned, the regions
     *                                  overlap partially, bits is outside 1..8 or the clip range is empty
     */
    public void bitDepth(MemorySegment in, MemorySegment out, long count, int bits, float clipMin, float clipMax) {
        Checks.bits(bits);
        if (!(clipMax > clipMin) || Float.isInfinite(clipMin) || Float.isInfinite(clipMax)) {
            throw new IllegalArgumentException("clip range must be finite with min < max: [" + clipMin + ", " + clipMax + "]");
        }
        if (count == 0) {
            return;
        }
        Checks.positive("count", count);
        MemorySegment i = Checks.elements(in, "in", count, Float.BYTES);
        MemorySegment o = Checks.elements(out, "out", count, Float.BYTES);
        Checks.overlap(i, o, true);
        provider.bitDepthF32(i, o, count, bits, clipMin, clipMax);
    }

    /**
     * Reduces uint8 values (clip range [0, 255]) to {@code bits} bits; {@code in} and {@code out}
     * may be the same array.
     *
     * @throws IllegalArgumentException when lengths differ or bits is outside 1..8
     */
    public void bitDepth(byte[] in, byte[] out, int bits) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Checks.length("out", out.length, in.length);
        bitDepthU8(MemorySegment.ofArray(in), MemorySegment.ofArray(out), in.length, bits);
    }

    /**
     * Reduces {@code count} uint8 values to {@code bits} bits; {@code in} and {@code out} may be the same region.
     *
     * @throws IllegalArgumentException when a segment is too small, the regions overlap partially
     *                                  or bits is outside 1..8
     */
    public void bitDepthU8(MemorySegment in, MemorySegment out, long count, int bits) {
        Checks.bits(bits);
        if (count == 0) {
            return;
        }
        Checks.positive("count", count);
        MemorySegment i = Checks.elements(in, "in", count, 1);
        MemorySegment o = Checks.elements(out, "out", count, 1);
        Checks.overlap(i, o, true);
        provider.bitDepthU8(i, o, count, bits);
    }

    /**
     * Median smoothing of a float32 NHWC batch with a 2×2 or 3×3 window into a separate array.
     *
     * @throws IllegalArgumentException when an array length differs from the shape, the arrays are
     *                                  the same or the window is not 2 or 3
     */
    public void median(float[] in, float[] out, Nhwc shape, int window) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(shape, "shape");
        Checks.length("in", in.length, shape.elements());
        Checks.length("out", out.length, shape.elements());
        median(MemorySegment.ofArray(in), MemorySegment.ofArray(out), shape, window, ValueLayout.JAVA_FLOAT);
    }

    /**
     * Median smoothing of a uint8 NHWC batch with a 2×2 or 3×3 window into a separate array.
     *
     * @throws IllegalArgumentException when an array length differs from the shape, the arrays are
     *                                  the same or the window is not 2 or 3
     */
    public void median(byte[] in, byte[] out, Nhwc shape, int window) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(shape, "shape");
        Checks.length("in", in.length, shape.elements());
        Checks.length("out", out.length, shape.elements());
        median(MemorySegment.ofArray(in), MemorySegment.ofArray(out), shape, window, ValueLayout.JAVA_BYTE);
    }

    /**
     * Median smoothing of an NHWC batch held in segments; {@code element} is
     * {@link ValueLayout#JAVA_FLOAT} for float32 or {@link ValueLayout#JAVA_BYTE} for uint8.
     *
     * @throws IllegalArgumentException when a segment is too small or misaligned, the regions
     *                                  overlap, the window is not 2 or 3 or the element type is neither
     */
    public void median(MemorySegment in, MemorySegment out, Nhwc shape, int window, ValueLayout element) {
        Objects.requireNonNull(shape, "shape");
        Checks.window(window);
        boolean f32 = element.carrier() == float.class;
        if (!f32 && element.carrier() != byte.class) {
            throw new IllegalArgumentException("element type must be float32 or uint8: " + element);
        }
        int bytes = f32 ? Float.BYTES : 1;
        MemorySegment i = Checks.elements(in, "in", shape.elements(), bytes);
        MemorySegment o = Checks.elements(out, "out", shape.elements(), bytes);
        Checks.overlap(i, o, false);
        if (f32) {
            provider.medianF32(i, o, shape, window);
        } else {
            provider.medianU8(i, o, shape, window);
        }
    }
}
