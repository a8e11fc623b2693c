package io.screenmesh.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The compiled kernels in the jar, and the choice of image per device. */
class CudaKernelImagesTest {

    private static final Path NVCC = Path.of(System.getenv().getOrDefault("NVCC", "/usr/local/cuda/bin/nvcc"));

    @Test
    void whenNvccIsPresentEveryModuleShipsACubinAndAPtxWithEveryKernel() {
        assumeTrue(Files.isExecutable(NVCC), "no nvcc at " + NVCC + ": the build skipped the kernels");
        Properties manifest = KernelImages.manifest().orElseThrow(
                () -> new AssertionError("nvcc is at " + NVCC + " but kernels.properties is not on the class path"));
        assertFalse(manifest.getProperty("nvcc.version", "").isBlank(), manifest.toString());
        for (var module : KernelImages.KERNELS.entrySet()) {
            byte[] cubin = KernelImages.read(KernelImages.choose(module.getKey(), 9, 0, "auto"));
            assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, Arrays.copyOf(cubin, 4), module.getKey() + " cubin is ELF");
            byte[] ptx = KernelImages.read(KernelImages.choose(module.getKey(), 8, 6, "auto"));
            assertEquals(0, ptx[ptx.length - 1], "PTX is handed to the driver NUL-terminated");
            String text = new String(ptx, 0, ptx.length - 1, StandardCharsets.US_ASCII);
            assertTrue(text.contains(".target sm_80"), module.getKey() + " PTX targets compute_80");
            for (String kernel : module.getValue()) {
                // extern "C": the entry keeps its plain name, which is what cuModuleGetFunction looks up.
                assertTrue(text.contains(".entry " + kernel + "("), module.getKey() + " PTX lacks " + kernel);
                assertTrue(new String(cubin, StandardCharsets.ISO_8859_1).contains(kernel),
                        module.getKey() + " cubin lacks " + kernel);
            }
        }
        assertEquals(List.of("similarity", "spectral", "squeeze"),
                Arrays.stream(manifest.getProperty("modules").split(",")).sorted().toList());
    }

    @Test
    void anH100RunsTheCubinAndOtherAmpereOrNewerDevicesJitThePtx() {
        assertEquals("squeeze_sm90.cubin", KernelImages.choose("squeeze", 9, 0, "auto").resource());
        assertFalse(KernelImages.choose("squeeze", 9, 0, "auto").ptx());
        assertEquals("squeeze_compute80.ptx", KernelImages.choose("squeeze", 8, 0, "auto").resource());
        assertEquals("spectral_compute80.ptx", KernelImages.choose("spectral", 10, 0, "auto").resource());
        assertEquals("spectral_compute80.ptx", KernelImages.choose("spectral", 12, 0, "auto").resource());
        assertTrue(KernelImages.choose("similarity", 9, 0, "ptx").ptx());
    }

    @Test
    void devicesTheImagesCannotRunAreRefusedWithTheCapability() {
        IllegalArgumentException old = assertThrows(IllegalArgumentException.class,
                () -> KernelImages.choose("squeeze", 7, 5, "auto"));
        assertTrue(old.getMessage().contains("7.5") && old.getMessage().contains("8.0"), old.getMessage());
        IllegalArgumentException cubin = assertThrows(IllegalArgumentException.class,
                () -> KernelImages.choose("squeeze", 8, 6, "cubin"));
        assertTrue(cubin.getMessage().contains("9.0"), cubin.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelImages.choose("squeeze", 9, 0, "fatbin"));
    }

    @Test
    void aMissingImageSaysNvccWasAbsent() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelImages.read(new KernelImages.Image("absent", "absent_sm90.cubin", false)));
        assertTrue(e.getMessage().contains("nvcc"), e.getMessage());
    }
}
