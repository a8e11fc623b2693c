package io.screenmesh.kernels.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A {@link CUdeviceptr} that can say its raw device address, for passing to cuFFT and cuBLAS
 * through FFM.
 *
 * <p>JCuda stores the value that {@code cuMemAlloc} writes into the protected field behind
 * {@code NativePointerObject.getNativePointer()}, and an offset made by {@code withByteOffset} in
 * {@code Pointer.getByteOffset()}; both accessors are protected, so a subclass reads them without
 * reflection. The address is {@code getNativePointer() + getByteOffset()}; it is valid only while
 * the allocation lives and in the context that made it.
 */
final class DevicePointer extends CUdeviceptr {
    /** Returns the raw device address ({@code CUdeviceptr} value). */
    long address() {
        return getNativePointer() + getByteOffset();
    }
}
