package io.screenmesh.nativ.cuda;

import java.util.function.IntFunction;

/** One place that runs a downcall returning a C status and turns a non-zero status into an exception. */
final class NativeCall {

    /** A downcall; {@code MethodHandle.invokeExact} declares {@link Throwable}. */
    @FunctionalInterface
    interface IntCall {
        int call() throws Throwable;
    }

    private NativeCall() {
    }

    /**
     * Runs {@code call} and checks its status.
     *
     * @param function the C function's name, for the message
     * @param names maps a status to its enum name
     * @param call the downcall
     * @throws CudaLibraryException when the status is not 0
     */
    static void check(String function, IntFunction<String> names, IntCall call) {
        int status;
        try {
            status = call.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            // invokeExact only throws what the target throws; a C function throws nothing.
            throw new IllegalStateException(function + " threw", t);
        }
        if (status != 0) {
            throw CudaLibraryException.call(function, status, names.apply(status));
        }
    }
}
