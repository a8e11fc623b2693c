package io.screenmesh.kernels.cuda;

import jcuda.driver.CUresult;

/**
 * A CUDA driver call returned an error. Carries the numeric {@code CUresult} and its name
 * ({@code CUDA_ERROR_OUT_OF_MEMORY}), so logs and messages say exactly what the driver said.
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;

    /**
     * Creates the exception for a driver result.
     *
     * @param code the {@code CUresult} value, not {@code CUDA_SUCCESS}
     */
    public CudaException(int code) {
        super("CUDA driver error " + nameOf(code) + " (" + code + ")");
        this.code = code;
    }

    /** Returns the numeric {@code CUresult}. */
    public int code() {
        return code;
    }

    /** Returns the {@code CUresult} name, e.g. {@code CUDA_ERROR_NO_DEVICE}. */
    public String name() {
        return nameOf(code);
    }

    static String nameOf(int code) {
        // CUresult is a plain Java constants class: naming a code never touches native code.
        return CUresult.stringFor(code);
    }

    /**
     * The one check every driver result goes through.
     *
     * @param result what a {@code cu*} call returned
     * @return {@code result} when it is {@code CUDA_SUCCESS}
     * @throws CudaException otherwise
     */
    static int check(int result) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(result);
        }
        return result;
    }
}
