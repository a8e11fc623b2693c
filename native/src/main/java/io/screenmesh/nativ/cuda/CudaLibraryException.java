package io.screenmesh.nativ.cuda;

import java.util.List;

/**
 * A CUDA toolkit library could not be found or loaded, lacks a symbol, or a call into it returned a
 * status other than success.
 *
 * <p>For a call failure, {@link #status()} is the library's numeric status and
 * {@link #statusName()} its enum name ({@code CUFFT_INVALID_SIZE}, {@code CUBLAS_STATUS_ALLOC_FAILED}).
 * For a library that could not be loaded, {@link #tried()} lists every path tried.
 */
public final class CudaLibraryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** {@link #status()} of a failure that is not a call's status (library or symbol missing). */
    public static final int NO_STATUS = -1;

    private final int status;
    private final String statusName;
    private final transient List<String> tried;

    private CudaLibraryException(String message, int status, String statusName, List<String> tried) {
        super(message);
        this.status = status;
        this.statusName = statusName;
        this.tried = List.copyOf(tried);
    }

    static CudaLibraryException notFound(String description, String platform, List<String> tried) {
        return new CudaLibraryException(description + " library not found on " + platform
                + "; install the CUDA toolkit libraries (CUDA 12 or 13) or set -D"
                + CudaLibrary.LIBPATH_PROPERTY + "=<dir>; tried: " + String.join(", ", tried),
                NO_STATUS, "NOT_FOUND", tried);
    }

    static CudaLibraryException missingSymbol(String soname, String location, String symbol) {
        return new CudaLibraryException(soname + " (" + location + ") does not export " + symbol,
                NO_STATUS, "MISSING_SYMBOL", List.of());
    }

    static CudaLibraryException call(String function, int status, String statusName) {
        return new CudaLibraryException(function + " failed: " + statusName + " (" + status + ")",
                status, statusName, List.of());
    }

    /** Returns the library's numeric status, or {@link #NO_STATUS}. */
    public int status() {
        return status;
    }

    /** Returns the status's enum name, or NOT_FOUND / MISSING_SYMBOL. */
    public String statusName() {
        return statusName;
    }

    /** Returns every path tried when the library could not be loaded; empty otherwise. */
    public List<String> tried() {
        return tried == null ? List.of() : tried;
    }
}
