package io.screenmesh.nativ.vosk;

import io.screenmesh.nativ.NativeLoader;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Hand-written FFM bindings to the part of Vosk's C API ({@code vosk_api.h}) that screenmesh
 * uses. Loaded once per process by {@link #get()} through {@link NativeLoader} (system property
 * {@code screenmesh.native.vosk.path}, then the bundled {@code libvosk.so}, then the system
 * library); Vosk's own logging is silenced at load.
 *
 * <p>Immutable and thread-safe. A model may be shared between threads; a recognizer may not.
 */
final class VoskLibrary {

    private final MethodHandle modelNew;
    private final MethodHandle modelFree;
    private final MethodHandle recognizerNew;
    private final MethodHandle recognizerSetWords;
    private final MethodHandle acceptWaveformShort;
    private final MethodHandle finalResult;
    private final MethodHandle recognizerFree;

    private VoskLibrary(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        modelNew = handle(linker, lib, "vosk_model_new", FunctionDescriptor.of(ADDRESS, ADDRESS));
        modelFree = handle(linker, lib, "vosk_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        recognizerNew = handle(linker, lib, "vosk_recognizer_new", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_FLOAT));
        recognizerSetWords = handle(linker, lib, "vosk_recognizer_set_words", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        acceptWaveformShort = handle(linker, lib, "vosk_recognizer_accept_waveform_s",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        finalResult = handle(linker, lib, "vosk_recognizer_final_result", FunctionDescriptor.of(ADDRESS, ADDRESS));
        recognizerFree = handle(linker, lib, "vosk_recognizer_free", FunctionDescriptor.ofVoid(ADDRESS));
        MethodHandle logLevel = handle(linker, lib, "vosk_set_log_level", FunctionDescriptor.ofVoid(JAVA_INT));
        try {
            // Kaldi logs every model load and decoder warning to stderr; -1 keeps only errors.
            logLevel.invokeExact(-1);
        } catch (Throwable t) {
            throw new IllegalStateException("vosk_set_log_level threw", t);
        }
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lib.find(name).orElseThrow(
                () -> new UnsatisfiedLinkError("libvosk.so has no symbol " + name + " (a Vosk older than 0.3.32?)"));
        return linker.downcallHandle(symbol, fd);
    }

    // Not a holder class: a failed load must say why on every attempt, not once and then
    // NoClassDefFoundError.
    private static VoskLibrary instance;

    /**
     * The bindings, loading the library on first use.
     *
     * @throws UnsatisfiedLinkError when the library cannot be loaded (the message lists every path tried)
     */
    static synchronized VoskLibrary get() {
        if (instance == null) {
            instance = new VoskLibrary(NativeLoader.load("vosk", "libvosk.so"));
        }
        return instance;
    }

    MemorySegment modelNew(MemorySegment path) throws Throwable {
        return (MemorySegment) modelNew.invokeExact(path);
    }

    void modelFree(MemorySegment model) throws Throwable {
        modelFree.invokeExact(model);
    }

    MemorySegment recognizerNew(MemorySegment model, float sampleRate) throws Throwable {
        return (MemorySegment) recognizerNew.invokeExact(model, sampleRate);
    }

    void recognizerSetWords(MemorySegment recognizer, int words) throws Throwable {
        recognizerSetWords.invokeExact(recognizer, words);
    }

    int acceptWaveform(MemorySegment recognizer, MemorySegment samples, int count) throws Throwable {
        return (int) acceptWaveformShort.invokeExact(recognizer, samples, count);
    }

    MemorySegment finalResult(MemorySegment recognizer) throws Throwable {
        return (MemorySegment) finalResult.invokeExact(recognizer);
    }

    void recognizerFree(MemorySegment recognizer) throws Throwable {
        recognizerFree.invokeExact(recognizer);
    }
}
