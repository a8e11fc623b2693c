package io.screenmesh.nativ.vosk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One utterance's recognizer: feed it 16-bit mono PCM with {@link #accept}, then read the
 * transcript with word times from {@link #finish()}. Not thread-safe: one thread at a time.
 * Made by {@link VoskModel#recognizer(float)}; the model must outlive it. {@link #close()} frees
 * it and is idempotent; use after close throws {@link IllegalStateException}.
 */
public final class VoskRecognizer implements AutoCloseable {

    // Vosk decodes as it is fed; a fixed chunk keeps the native buffer small for long clips.
    private static final int CHUNK = 8_000;

    private final VoskLibrary lib;
    private final VoskModel model;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private MemorySegment handle;

    VoskRecognizer(VoskLibrary lib, MemorySegment handle, VoskModel model) {
        this.lib = lib;
        this.handle = handle;
        this.model = model;
        this.buffer = arena.allocate(ValueLayout.JAVA_SHORT, CHUNK);
    }

    /**
     * Feeds {@code count} samples of {@code pcm} from {@code offset}.
     *
     * @throws IllegalStateException after {@link #close()}
     * @throws IndexOutOfBoundsException when the range is outside {@code pcm}
     */
    public void accept(short[] pcm, int offset, int count) {
        java.util.Objects.checkFromIndexSize(offset, count, pcm.length);
        MemorySegment rec = live();
        for (int from = offset; from < offset + count; from += CHUNK) {
            int n = Math.min(CHUNK, offset + count - from);
            MemorySegment.copy(pcm, from, buffer, ValueLayout.JAVA_SHORT, 0, n);
            try {
                if (lib.acceptWaveform(rec, buffer, n) < 0) {
                    throw new VoskException("vosk_recognizer_accept_waveform_s failed");
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new VoskException("vosk_recognizer_accept_waveform_s threw", t);
            }
        }
    }

    /**
     * Ends the utterance and returns its transcript with word times and confidences.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public VoskResult finish() {
        MemorySegment rec = live();
        String json;
        try {
            // The string belongs to the recognizer and lives until its next call.
            MemorySegment s = lib.finalResult(rec);
            json = s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new VoskException("vosk_recognizer_final_result threw", t);
        }
        return VoskResult.parse(json);
    }

    private MemorySegment live() {
        if (handle == null) {
            throw new IllegalStateException("the recognizer is closed");
        }
        return handle;
    }

    /** Frees the recognizer. Idempotent. */
    @Override
    public void close() {
        if (handle == null) {
            return;
        }
        MemorySegment h = handle;
        handle = null;
        try {
            lib.recognizerFree(h);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new VoskException("vosk_recognizer_free threw", t);
        } finally {
            arena.close();
            model.release();
        }
    }
}
