package io.screenmesh.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The compiled kernel images packaged in this jar by {@code kernels/src/main/cuda/nvcc.sh}, and the
 * choice of image for a device.
 *
 * <p>Each module ({@code squeeze}, {@code spectral}, {@code similarity}) ships as
 * {@code <module>_sm90.cubin} (machine code for compute capability 9.0) and
 * {@code <module>_compute80.ptx} (PTX that the driver compiles for any device of capability 8.0
 * or newer; nvcc 13 writes PTX ISA 9.0, which needs a CUDA 13 driver, 580 or newer).
 *
 * <p>System property {@value #IMAGE_PROPERTY}: {@code auto} (default: the cubin when the device is
 * exactly sm_90, else the PTX), {@code ptx} (always JIT the PTX, e.g. to test that path on an
 * H100), {@code cubin} (refuse devices the cubin does not fit).
 */
public final class KernelImages {
    /** System property choosing the image kind: auto, ptx or cubin. */
    public static final String IMAGE_PROPERTY = "screenmesh.cuda.image";

    /** Classpath folder of the images and of {@code kernels.properties}. */
    public static final String RESOURCE_DIR = "/io/screenmesh/kernels/cuda/";

    /** The kernels each module must export (C linkage), as the provider launches them. */
    public static final Map<String, List<String>> KERNELS = Map.of(
            "squeeze", List.of("sm_bitdepth_f32_kernel", "sm_bitdepth_u8_kernel", "sm_median_f32_kernel",
                    "sm_median_u8_kernel"),
            "spectral", List.of("sm_frame_kernel", "sm_db_kernel", "sm_noise_threshold_kernel",
                    "sm_gate_mask_kernel", "sm_smooth_freq_kernel", "sm_smooth_time_kernel", "sm_apply_mask_kernel",
                    "sm_overlap_add_kernel", "sm_mean_power_kernel", "sm_fir_kernel"),
            "similarity", List.of("sm_l2_normalize_kernel", "sm_topk_partial_kernel", "sm_topk_merge_kernel"));

    private static final int CUBIN_MAJOR = 9;
    private static final int CUBIN_MINOR = 0;
    private static final int PTX_MIN_MAJOR = 8;

    private KernelImages() {
    }

    /** One image to load: its resource name and whether the driver must JIT it. */
    public record Image(String module, String resource, boolean ptx) {
    }

    /**
     * Returns the build manifest ({@code kernels.properties}) when nvcc built the images into this
     * jar, or empty when the build had no nvcc.
     */
    public static Optional<Properties> manifest() {
        try (InputStream in = KernelImages.class.getResourceAsStream(RESOURCE_DIR + "kernels.properties")) {
            if (in == null) {
                return Optional.empty();
            }
            Properties p = new Properties();
            p.load(in);
            return Optional.of(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE_DIR + "kernels.properties", e);
        }
    }

    /**
     * Chooses the image of {@code module} for a device of compute capability {@code major.minor}.
     *
     * @param mode {@code auto}, {@code ptx} or {@code cubin}
     * @return the image
     * @throws IllegalArgumentException when no image fits the device (the message says which
     *     capability is needed) or the mode is unknown
     */
    public static Image choose(String module, int major, int minor, String mode) {
        String kind = mode == null ? "auto" : mode.trim().toLowerCase(Locale.ROOT);
        boolean exactCubin = major == CUBIN_MAJOR && minor == CUBIN_MINOR;
        Image cubin = new Image(module, module + "_sm" + CUBIN_MAJOR + CUBIN_MINOR + ".cubin", false);
        Image ptx = new Image(module, module + "_compute" + PTX_MIN_MAJOR + "0.ptx", true);
        return switch (kind) {
            case "auto" -> {
                if (exactCubin) {
                    yield cubin;
                }
                if (major >= PTX_MIN_MAJOR) {
                    yield ptx;
                }
                throw new IllegalArgumentException("device has compute capability " + major + "." + minor
                        + "; the kernels need 8.0 or newer");
            }
            case "ptx" -> {
                if (major < PTX_MIN_MAJOR) {
                    throw new IllegalArgumentException("device has compute capability " + major + "." + minor
                            + "; the PTX needs 8.0 or newer");
                }
                yield ptx;
            }
            case "cubin" -> {
                if (!exactCubin) {
                    throw new IllegalArgumentException("device has compute capability " + major + "." + minor
                            + "; the cubin is for 9.0 only (use " + IMAGE_PROPERTY + "=auto for the PTX)");
                }
                yield cubin;
            }
            default -> throw new IllegalArgumentException(IMAGE_PROPERTY + " must be auto, ptx or cubin: " + mode);
        };
    }

    /**
     * Reads an image's bytes, NUL-terminated for PTX (the driver reads PTX as a C string).
     *
     * @throws IllegalStateException when the resource is missing from the jar
     */
    public static byte[] read(Image image) {
        try (InputStream in = KernelImages.class.getResourceAsStream(RESOURCE_DIR + image.resource())) {
            if (in == null) {
                throw new IllegalStateException("kernel image " + RESOURCE_DIR + image.resource()
                        + " is not in this build (was nvcc present when screenmesh-kernels was built?)");
            }
            byte[] bytes = in.readAllBytes();
            return image.ptx() ? Arrays.copyOf(bytes, bytes.length + 1) : bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel image " + image.resource(), e);
        }
    }
}
