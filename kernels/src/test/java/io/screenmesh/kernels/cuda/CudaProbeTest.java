package io.screenmesh.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.screenmesh.kernels.AccelerationProvider;
import io.screenmesh.kernels.AccelerationProviders;
import io.screenmesh.kernels.Backend;
import io.screenmesh.kernels.BackendUnavailableException;
import org.junit.jupiter.api.Test;

/** The cuda backend's start-up decision: refuse with a reason without a device, start with one. */
class CudaProbeTest {

    @Test
    void probeNeverThrowsAndGivesTheSameAnswerEveryTime() {
        CudaProbe.Result first = CudaProbe.probe();
        CudaProbe.Result second = CudaProbe.probe();
        assertSame(first, second);
        assertEquals(first.available(), CudaProbe.available());
        assertEquals(first.available(), first.reason().isEmpty(), first.reason());
    }

    @Test
    void withoutADeviceTheProviderRefusesNamingTheReason() {
        CudaProbe.Result probe = CudaProbe.probe();
        assumeFalse(probe.available(), "a CUDA device is present (" + probe.device() + "): nothing to refuse");
        BackendUnavailableException direct = assertThrows(BackendUnavailableException.class,
                CudaAccelerationProvider::new);
        assertEquals("cuda: " + probe.reason(), direct.getMessage());
        // The reason names the missing piece, not a stack trace.
        assertTrue(probe.reason().contains("driver") || probe.reason().contains("nvcc")
                || probe.reason().contains("device"), probe.reason());
        BackendUnavailableException byName = assertThrows(BackendUnavailableException.class,
                () -> AccelerationProviders.create(Backend.CUDA));
        assertEquals(direct.getMessage(), byName.getMessage());
    }

    @Test
    void withKernelsBuiltButNoDriverTheReasonIsTheDriver() {
        assumeTrue(KernelImages.manifest().isPresent(), "kernel images not built here (no nvcc at build time)");
        CudaProbe.Result probe = CudaProbe.probe();
        assumeFalse(probe.available(), "a CUDA device is present (" + probe.device() + ")");
        assertTrue(probe.reason().contains("libcuda.so.1") || probe.reason().startsWith("cuInit failed")
                || probe.reason().contains("no device"), probe.reason());
    }

    @Test
    void withADeviceTheProviderStartsAndSaysWhichDeviceAndLibraries() throws Exception {
        CudaProbe.Result probe = CudaProbe.probe();
        String[] reason = new String[1];
        try (CudaAccelerationProvider provider = CudaTestSupport.startOrExplain(reason)) {
            CudaTestSupport.assumeStarted(provider, reason);
            assertEquals(Backend.CUDA, provider.backend());
            assertTrue(provider.description().contains(probe.device()), provider.description());
            assertTrue(provider.description().contains("libcufft.so"), provider.description());
            assertTrue(provider.description().contains("libcublas.so"), provider.description());
            AccelerationProvider auto = AccelerationProviders.create("cuda");
            assertEquals(Backend.CUDA, auto.backend());
            ((AutoCloseable) auto).close();
        }
    }

    @Test
    void aClosedProviderRefusesWorkAndClosesTwice() {
        String[] reason = new String[1];
        CudaAccelerationProvider provider = CudaTestSupport.startOrExplain(reason);
        CudaTestSupport.assumeStarted(provider, reason);
        provider.close();
        provider.close();
        var in = java.lang.foreign.MemorySegment.ofArray(new float[4]);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> provider.bitDepthF32(in, in, 4, 3, 0f, 1f));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertFalse(provider.description().isEmpty());
    }

    @Test
    void theDriverReasonIsTheLoaderLineThatNamesLibcuda() {
        String jcudaMessage = """
                Error while loading native library "JCudaDriver-12.6.0-linux-x86_64"
                Operating system name: Linux
                Stack trace from the attempt to load the library as a resource:
                java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file: No such file or directory
                	at java.base/jdk.internal.loader.NativeLibraries.load(Native Method)
                """;
        assertEquals("/tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file: "
                + "No such file or directory", CudaProbe.loaderReason(jcudaMessage));
        assertEquals("first line", CudaProbe.loaderReason("first line\nsecond"));
    }

    @Test
    void thePtxPathJitsAndComputesWhatTheOracleComputes() {
        String previous = System.getProperty(KernelImages.IMAGE_PROPERTY);
        System.setProperty(KernelImages.IMAGE_PROPERTY, "ptx");
        String[] reason = new String[1];
        try (CudaAccelerationProvider provider = CudaTestSupport.startOrExplain(reason)) {
            CudaTestSupport.assumeStarted(provider, reason);
            assertTrue(provider.description().contains("PTX JIT"), provider.description());
            float[] x = {-0.2f, 0f, 0.1f, 0.5f, 0.51f, 1f, 1.3f};
            float[] expected = new float[x.length];
            float[] actual = new float[x.length];
            io.screenmesh.kernels.Squeeze.on(new io.screenmesh.kernels.java.JavaAccelerationProvider())
                    .bitDepth(x, expected, 3, 0f, 1f);
            io.screenmesh.kernels.Squeeze.on(provider).bitDepth(x, actual, 3, 0f, 1f);
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual);
        } finally {
            if (previous == null) {
                System.clearProperty(KernelImages.IMAGE_PROPERTY);
            } else {
                System.setProperty(KernelImages.IMAGE_PROPERTY, previous);
            }
        }
    }
}
