package io.screenmesh.nativ.vosk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Vosk acoustic model and decoding graph, loaded from a model directory (such as
 * {@code vosk-model-small-en-us-0.15}: {@code am/}, {@code conf/}, {@code graph/}, {@code ivector/}).
 * Load it once per process: the small English model takes about a second and 100 MB.
 *
 * <p>Thread-safe: any number of {@link VoskRecognizer}s on any threads may share it. It must
 * outlive every recognizer made from it. {@link #close()} is idempotent; use after close throws
 * {@link IllegalStateException}.
 */
public final class VoskModel implements AutoCloseable {

    private final VoskLibrary lib;
    private final Path directory;
    private MemorySegment handle;
    private int open;
    private boolean closing;

    private VoskModel(VoskLibrary lib, Path directory, MemorySegment handle) {
        this.lib = lib;
        this.directory = directory;
        this.handle = handle;
    }

    /**
     * Loads the model in {@code directory}.
     *
     * @throws VoskException when the directory is not a model directory, Vosk refuses it (a
     *     missing or corrupt file), or the library cannot be loaded; the message says which
     */
    public static VoskModel load(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new VoskException("no Vosk model directory at " + directory.toAbsolutePath());
        }
        for (String part : new String[] {"am/final.mdl", "conf/model.conf"}) {
            if (!Files.isRegularFile(directory.resolve(part))) {
                throw new VoskException("not a Vosk model directory: " + directory.toAbsolutePath() + " has no " + part);
            }
        }
        VoskLibrary lib;
        try {
            lib = VoskLibrary.get();
        } catch (UnsatisfiedLinkError e) {
            throw new VoskException("the Vosk library cannot be loaded: " + e.getMessage(), e);
        }
        MemorySegment model;
        try (Arena arena = Arena.ofConfined()) {
            model = lib.modelNew(arena.allocateFrom(directory.toAbsolutePath().toString()));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new VoskException("vosk_model_new threw", t);
        }
        if (model.equals(MemorySegment.NULL)) {
            // Vosk answers NULL (and logs, when logging is on) for a missing or corrupt file.
            throw new VoskException("Vosk could not load the model in " + directory.toAbsolutePath()
                    + " (a file is missing or corrupt)");
        }
        return new VoskModel(lib, directory, model);
    }

    /** The model directory. */
    public Path directory() {
        return directory;
    }

    /**
     * A recognizer for 16-bit mono PCM at {@code sampleRate}, reporting word times.
     *
     * @throws IllegalStateException after {@link #close()}
     * @throws IllegalArgumentException unless {@code sampleRate} is positive
     * @throws VoskException when Vosk cannot make one
     */
    public VoskRecognizer recognizer(float sampleRate) {
        if (!(sampleRate > 0)) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
        }
        MemorySegment model = acquire();
        MemorySegment rec;
        try {
            rec = lib.recognizerNew(model, sampleRate);
            if (!rec.equals(MemorySegment.NULL)) {
                lib.recognizerSetWords(rec, 1);
            }
        } catch (RuntimeException | Error e) {
            release();
            throw e;
        } catch (Throwable t) {
            release();
            throw new VoskException("vosk_recognizer_new threw", t);
        }
        if (rec.equals(MemorySegment.NULL)) {
            release();
            throw new VoskException("Vosk could not make a recognizer at " + sampleRate + " Hz");
        }
        return new VoskRecognizer(lib, rec, this);
    }

    private synchronized MemorySegment acquire() {
        if (handle == null || closing) {
            throw new IllegalStateException("the Vosk model is closed");
        }
        open++;
        return handle;
    }

    /** Called by a recognizer when it is freed. */
    synchronized void release() {
        open--;
        if (closing && open == 0) {
            free();
        }
    }

    /**
     * Frees the model once the last recognizer made from it is closed. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (handle == null || closing) {
            return;
        }
        closing = true;
        if (open == 0) {
            free();
        }
    }

    private void free() {
        MemorySegment h = handle;
        handle = null;
        try {
            lib.modelFree(h);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new VoskException("vosk_model_free threw", t);
        }
    }
}
