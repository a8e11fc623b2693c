package io.screenmesh.kernels.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jcuda.Pointer;

/**
 * JCuda host pointers for memory segments, so copies go straight from the caller's memory without
 * an extra Java copy.
 *
 * <p>A native segment becomes a pointer to its address ({@code Pointer}'s protected address
 * constructor, reached through a subclass). A heap segment becomes JCuda's array pointer with the
 * segment's offset (for heap segments {@link MemorySegment#address()} is the byte offset into the
 * array); JCuda pins the array for the duration of a synchronous copy. A read-only heap segment
 * exposes no array, so it is copied once.
 */
final class HostPointers {
    private HostPointers() {
    }

    private static final class Address extends Pointer {
        Address(long address) {
            super(address);
        }
    }

    /** Returns a JCuda pointer to the first byte of {@code segment}. */
    static Pointer of(MemorySegment segment) {
        if (segment.isNative()) {
            return new Address(segment.address());
        }
        Object base = segment.heapBase().orElse(null);
        long offset = segment.address();
        return switch (base) {
            case byte[] a -> Pointer.to(a).withByteOffset(offset);
            case float[] a -> Pointer.to(a).withByteOffset(offset);
            case int[] a -> Pointer.to(a).withByteOffset(offset);
            case short[] a -> Pointer.to(a).withByteOffset(offset);
            case char[] a -> Pointer.to(a).withByteOffset(offset);
            case long[] a -> Pointer.to(a).withByteOffset(offset);
            case double[] a -> Pointer.to(a).withByteOffset(offset);
            case null -> Pointer.to(segment.toArray(ValueLayout.JAVA_BYTE)); // read-only heap segment
            default -> throw new IllegalArgumentException("unsupported heap segment over " + base.getClass());
        };
    }
}
