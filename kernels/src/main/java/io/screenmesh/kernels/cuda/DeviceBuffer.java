package io.screenmesh.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import jcuda.driver.CUdeviceptr;

/**
 * An allocation of device memory in the context of a {@link CudaContext}.
 *
 * <p>Must be created, used and closed on the context's owner thread (inside
 * {@link CudaContext#call}) and must not outlive the context. {@link #close()} frees the memory
 * and is idempotent; any use after close throws {@link IllegalStateException}.
 */
public final class DeviceBuffer implements AutoCloseable {
    private final DevicePointer pointer;
    private final long byteSize;
    private boolean closed;

    private DeviceBuffer(DevicePointer pointer, long byteSize) {
        this.pointer = pointer;
        this.byteSize = byteSize;
    }

    /**
     * Allocates {@code byteSize} bytes with {@code cuMemAlloc}.
     *
     * @throws IllegalArgumentException when {@code byteSize < 1}
     * @throws CudaException when the driver refuses (e.g. CUDA_ERROR_OUT_OF_MEMORY)
     */
    static DeviceBuffer allocate(long byteSize) {
        if (byteSize < 1) {
            throw new IllegalArgumentException("device allocation must be >= 1 byte: " + byteSize);
        }
        DevicePointer pointer = new DevicePointer();
        CudaException.check(cuMemAlloc(pointer, byteSize));
        return new DeviceBuffer(pointer, byteSize);
    }

    /** Returns the JCuda pointer, for kernel arguments and copies. */
    CUdeviceptr pointer() {
        ensureOpen();
        return pointer;
    }

    /** Returns the raw device address, for cuFFT and cuBLAS through FFM. */
    long address() {
        ensureOpen();
        return pointer.address();
    }

    /** Returns the size of the allocation in bytes. */
    public long byteSize() {
        return byteSize;
    }

    /** Returns whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("device buffer of " + byteSize + " bytes is closed");
        }
    }

    /**
     * Frees the memory; idempotent.
     *
     * @throws CudaException when the driver reports a failure (the buffer counts as closed anyway)
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CudaException.check(cuMemFree(pointer));
    }
}
