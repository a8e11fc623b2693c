package io.screenmesh.kernels.cuda;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import java.nio.charset.StandardCharsets;
import jcuda.driver.CUdevice;

/**
 * Answers whether the cuda backend can run here and, if not, why; never throws.
 *
 * <p>Checks in order: the kernel images are in this build; JCuda's driver binding loads (it needs
 * the NVIDIA driver's {@code libcuda.so.1}; without it JCuda throws {@link UnsatisfiedLinkError},
 * later {@link NoClassDefFoundError}, both {@link LinkageError}s); {@code cuInit} succeeds; the
 * device of ordinal {@value #DEVICE_PROPERTY} (default 0) exists and has compute capability 8.0
 * or newer. The first failure's reason is kept for the life of the JVM, because JCuda's loader
 * cannot be retried and later attempts only say "Could not initialize class".
 */
public final class CudaProbe {
    /** System property: the ordinal of the device to use (default 0). */
    public static final String DEVICE_PROPERTY = "screenmesh.cuda.device";

    private static final Object LOCK = new Object();
    private static Result cached;

    private CudaProbe() {
    }

    /**
     * The probe's answer.
     *
     * @param available whether the backend can start
     * @param reason    why not (empty when available), including how to fix it
     * @param ordinal   the device ordinal probed
     * @param device    the device's name, capability and the driver version (empty when unavailable)
     * @param major     compute capability major (0 when unavailable)
     * @param minor     compute capability minor
     */
    public record Result(boolean available, String reason, int ordinal, String device, int major, int minor) {
        static Result no(String reason) {
            return new Result(false, reason, -1, "", 0, 0);
        }
    }

    /** Returns whether a usable device is present; never throws. */
    public static boolean available() {
        return probe().available();
    }

    /** Runs the probe once per JVM and returns its answer; never throws. */
    public static Result probe() {
        synchronized (LOCK) {
            if (cached == null) {
                cached = run();
            }
            return cached;
        }
    }

    private static Result run() {
        try {
            if (KernelImages.manifest().isEmpty()) {
                return Result.no("the CUDA kernel images are not in this build (nvcc was not found when "
                        + "screenmesh-kernels was built; build on a machine with /usr/local/cuda/bin/nvcc)");
            }
            int ordinal = Integer.getInteger(DEVICE_PROPERTY, 0);
            try {
                CudaException.check(cuInit(0));
            } catch (LinkageError e) {
                return Result.no("the CUDA driver is not installed (JCuda's driver binding did not load: "
                        + loaderReason(e.getMessage()) + "); install the NVIDIA driver or choose another backend");
            } catch (CudaException e) {
                return Result.no("cuInit failed: " + e.name() + " (no usable NVIDIA GPU, or a driver/kernel "
                        + "module mismatch)");
            }
            int[] value = new int[1];
            CudaException.check(cuDeviceGetCount(value));
            if (value[0] == 0) {
                return Result.no("the CUDA driver reports no device");
            }
            if (ordinal < 0 || ordinal >= value[0]) {
                return Result.no(DEVICE_PROPERTY + "=" + ordinal + " but the driver reports " + value[0]
                        + " device(s)");
            }
            CUdevice device = new CUdevice();
            CudaException.check(cuDeviceGet(device, ordinal));
            CudaException.check(cuDeviceGetAttribute(value, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device));
            int major = value[0];
            CudaException.check(cuDeviceGetAttribute(value, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device));
            int minor = value[0];
            CudaException.check(cuDriverGetVersion(value));
            int driver = value[0];
            byte[] name = new byte[256];
            CudaException.check(cuDeviceGetName(name, name.length, device));
            String description = cString(name) + " (sm_" + major + minor + ", driver API " + driver / 1000 + "."
                    + driver % 1000 / 10 + ")";
            if (major < 8) {
                return new Result(false, "device " + ordinal + " " + description
                        + " is older than compute capability 8.0, which the kernels need", ordinal, description,
                        major, minor);
            }
            return new Result(true, "", ordinal, description, major, minor);
        } catch (LinkageError | RuntimeException e) {
            return Result.no("CUDA probe failed: " + e);
        }
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /**
     * Picks the informative line out of JCuda's multi-line loader message, the one naming the
     * library that the dynamic loader could not open (normally libcuda.so.1).
     */
    static String loaderReason(String message) {
        if (message == null) {
            return "no message";
        }
        for (String line : message.split("\n")) {
            if (line.contains("libcuda")) {
                return line.replaceFirst("^java\\.lang\\.UnsatisfiedLinkError: ", "").strip();
            }
        }
        return firstLine(message);
    }

    static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
