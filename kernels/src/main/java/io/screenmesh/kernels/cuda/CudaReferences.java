package io.screenmesh.kernels.cuda;

import io.screenmesh.kernels.AccelerationProvider;
import io.screenmesh.kernels.ResidentReferences;

/**
 * A normalized reference matrix resident on the device. Must not outlive its provider's context;
 * closing the provider frees it too. {@link #close()} is idempotent; use after close throws
 * {@link IllegalStateException}.
 */
final class CudaReferences implements ResidentReferences {
    private final CudaAccelerationProvider owner;
    private final CudaContext ctx;
    private final DeviceBuffer matrix;
    private final int count;
    private final int dimension;
    private volatile boolean closed;

    CudaReferences(CudaAccelerationProvider owner, CudaContext ctx, DeviceBuffer matrix, int count, int dimension) {
        this.owner = owner;
        this.ctx = ctx;
        this.matrix = matrix;
        this.count = count;
        this.dimension = dimension;
    }

    @Override
    public AccelerationProvider owner() {
        return owner;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    /** Returns the matrix's device address; call on the owner thread. */
    long address() {
        if (closed) {
            throw new IllegalStateException("reference set is closed");
        }
        return matrix.address();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!ctx.isClosed()) { // a closed context has released all device memory already
            ctx.call(c -> {
                matrix.close();
                return null;
            });
        }
    }
}
