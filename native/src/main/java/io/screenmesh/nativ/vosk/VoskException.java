package io.screenmesh.nativ.vosk;

/** A Vosk call failed: the library is missing, the model does not load, or a recognizer cannot be made. */
public final class VoskException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with {@code message}. */
    public VoskException(String message) {
        super(message);
    }

    /** Creates the exception with {@code message} and its {@code cause}. */
    public VoskException(String message, Throwable cause) {
        super(message, cause);
    }
}
