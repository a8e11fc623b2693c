package io.screenmesh.kernels;

/**
 * Thrown by a provider's constructor when its backend cannot run here (no device, library missing,
 * CPU too old); the message says why and how to fix it.
 */
public final class BackendUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with the reason the backend refused. */
    public BackendUnavailableException(String reason) {
        super(reason);
    }

    /** Creates the exception with the reason and the failure that caused it. */
    public BackendUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
