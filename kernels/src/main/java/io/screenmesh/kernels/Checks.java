package io.screenmesh.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Argument checks shared by the facades; messages say the numbers. */
final class Checks {
    private Checks() {
    }

    static AccelerationProvider provider(AccelerationProvider provider) {
        return Objects.requireNonNull(provider, "provider");
    }

    /** Returns {@code seg} sliced to exactly {@code count} elements of {@code elementBytes}. */
    static MemorySegment elements(MemorySegment seg, String name, long count, int elementBytes) {
        Objects.requireNonNull(seg, name);
        long need = Math.multiplyExact(count, (long) elementBytes);
        if (seg.byteSize() < need) {
            throw new IllegalArgumentException(name + " too small: " + seg.byteSize() + " bytes < "
                    + need + " needed (" + count + " elements)");
        }
        if (elementBytes > 1 && seg.maxByteAlignment() < elementBytes) {
            throw new IllegalArgumentException(name + " is not " + elementBytes + "-byte aligned");
        }
        if (seg.isReadOnly() && name.startsWith("out")) {
            throw new IllegalArgumentException(name + " is read-only");
        }
        return seg.asSlice(0, need);
    }

    /** Rejects overlapping input and output; {@code sameAllowed} permits exactly the same region. */
    static void overlap(MemorySegment in, MemorySegment out, boolean sameAllowed) {
        var shared = in.asOverlappingSlice(out);
        if (shared.isEmpty()) {
            return;
        }
        // Equal sizes and a shared part as large as both means the very same region.
        if (sameAllowed && in.byteSize() == out.byteSize() && shared.get().byteSize() == in.byteSize()) {
            return;
        }
        throw new IllegalArgumentException(sameAllowed
                ? "in and out overlap partially; pass the same region for in-place or disjoint regions"
                : "in and out overlap; this operation needs disjoint buffers");
    }

    static void length(String name, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(name + " length differs: " + actual + " != " + expected);
        }
    }

    static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1: " + value);
        }
    }

    static void bits(int bits) {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("bit depth must be in [1, 8]: " + bits);
        }
    }

    static void window(int window) {
        if (window != 2 && window != 3) {
            throw new IllegalArgumentException("median window must be 2 or 3: " + window);
        }
    }
}
