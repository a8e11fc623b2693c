package io.screenmesh.kernels.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.screenmesh.kernels.BackendUnavailableException;
import io.screenmesh.nativ.cuda.CudaLibraryException;

/**
 * Starts the cuda backend for device tests, or says why the tests skip. Skips: no device (the
 * probe's reason), or a device without the cuFFT/cuBLAS libraries. Anything else that stops the
 * backend on a machine with a device (a kernel image the driver rejects, a failing driver call)
 * fails the test instead of hiding behind a skip.
 */
final class CudaTestSupport {
    private CudaTestSupport() {
    }

    /** Returns a started provider, or null with the skip reason in {@code reason[0]}. */
    static CudaAccelerationProvider startOrExplain(String[] reason) {
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.available()) {
            reason[0] = "no CUDA device: " + probe.reason();
            return null;
        }
        try {
            return new CudaAccelerationProvider();
        } catch (BackendUnavailableException e) {
            if (e.getCause() instanceof CudaLibraryException missing && "NOT_FOUND".equals(missing.statusName())) {
                reason[0] = "CUDA device present but a CUDA library is missing: " + e.getMessage();
                return null;
            }
            throw e;
        }
    }

    /** Skips the calling test unless {@code provider} started. */
    static void assumeStarted(CudaAccelerationProvider provider, String[] reason) {
        assumeTrue(provider != null, reason[0]);
    }
}
