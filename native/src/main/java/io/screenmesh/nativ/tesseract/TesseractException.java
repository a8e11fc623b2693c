package io.screenmesh.nativ.tesseract;

/** Tesseract could not be loaded, initialized or run; the message says why and how to fix it. */
public final class TesseractException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with {@code message}. */
    public TesseractException(String message) {
        super(message);
    }

    /** Creates an exception with {@code message} caused by {@code cause}. */
    public TesseractException(String message, Throwable cause) {
        super(message, cause);
    }
}
