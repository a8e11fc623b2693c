package io.screenmesh.nativ.tesseract;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * One Tesseract engine ({@code TessBaseAPI}) initialized for a language: recognizes 8-bit gray
 * images into words with boxes and confidences, and detects page orientation.
 *
 * <p>Not thread-safe: Tesseract keeps the page being recognized in the engine, so use one
 * instance per thread or take them from a pool. {@link #close()} ends and deletes the engine; it
 * is idempotent, and use after close throws {@link IllegalStateException}.
 */
public final class Tesseract implements AutoCloseable {
    /** Page segmentation: fully automatic, without orientation detection ({@code PSM_AUTO}). */
    public static final int PSM_AUTO = 3;
    /** Page segmentation: as much text as possible in no particular order ({@code PSM_SPARSE_TEXT}). */
    public static final int PSM_SPARSE_TEXT = 11;

    private static final int WORD_LEVEL = 5;
    private static final int TSV_COLUMNS = 12;

    private final TesseractLibrary lib;
    private final String language;
    private MemorySegment api;
    private MemorySegment osd;

    private Tesseract(TesseractLibrary lib, String language, MemorySegment api) {
        this.lib = lib;
        this.language = language;
        this.api = api;
    }

    /**
     * Creates an engine and initializes it for {@code language}.
     *
     * @param lib the loaded library
     * @param dataPath the folder holding {@code <language>.traineddata}, or null for the
     *     library's own default ({@code /usr/share/tesseract-ocr/5/tessdata} on Debian)
     * @param language a Tesseract language code such as {@code eng}
     * @throws TesseractException when the language data cannot be loaded (the message names the
     *     Debian package)
     */
    public static Tesseract open(TesseractLibrary lib, String dataPath, String language) {
        Tesseract t = new Tesseract(lib, language, create(lib));
        MemorySegment api = t.api;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = dataPath == null ? MemorySegment.NULL : arena.allocateFrom(dataPath);
            int rc = (int) lib.init3.invokeExact(api, path, arena.allocateFrom(language));
            if (rc != 0) {
                throw new TesseractException("Tesseract cannot load the language data '" + language + "' from "
                        + (dataPath == null ? "its default tessdata folder" : dataPath)
                        + " (apt-get install tesseract-ocr-" + language + ")");
            }
            // Its diagnostics ("Estimating resolution", "Empty page!!") are noise on a server's stderr.
            t.variable(arena, "debug_file", "/dev/null");
        } catch (Throwable e) {
            t.close();
            throw TesseractLibrary.rethrow("TessBaseAPIInit3", e);
        }
        return t;
    }

    private static MemorySegment create(TesseractLibrary lib) {
        MemorySegment api;
        try {
            api = (MemorySegment) lib.create.invokeExact();
        } catch (Throwable t) {
            throw TesseractLibrary.rethrow("TessBaseAPICreate", t);
        }
        if (api.equals(MemorySegment.NULL)) {
            throw new TesseractException("TessBaseAPICreate returned NULL (out of memory)");
        }
        return api;
    }

    /** The language this engine was initialized for. */
    public String language() {
        return language;
    }

    /**
     * Recognizes an 8-bit gray image.
     *
     * @param gray {@code width * height} luminance bytes, row-major
     * @param width width in pixels
     * @param height height in pixels
     * @param pageSegMode a page segmentation mode such as {@link #PSM_AUTO}
     * @param timeLimitMillis the longest recognition may take; Tesseract stops between words
     *     when it is over (page layout analysis is not interruptible), at least 1
     * @return the words with boxes in this image's pixels
     * @throws IllegalArgumentException when the sizes do not match
     * @throws IllegalStateException after {@link #close()}
     */
    public OcrPage recognize(byte[] gray, int width, int height, int pageSegMode, int timeLimitMillis) {
        checkImage(gray, width, height);
        if (timeLimitMillis < 1) {
            throw new IllegalArgumentException("time limit must be at least 1 ms: " + timeLimitMillis);
        }
        MemorySegment a = api();
        long start = System.nanoTime();
        MemorySegment monitor = MemorySegment.NULL;
        MemorySegment tsv = MemorySegment.NULL;
        try {
            lib.setPageSegMode.invokeExact(a, pageSegMode);
            setImage(a, gray, width, height);
            monitor = (MemorySegment) lib.monitorCreate.invokeExact();
            lib.monitorSetDeadline.invokeExact(monitor, timeLimitMillis);
            int rc = (int) lib.recognize.invokeExact(a, monitor);
            long nanos = System.nanoTime() - start;
            boolean timedOut = nanos >= timeLimitMillis * 1_000_000L;
            if (rc != 0 && !timedOut) {
                throw new TesseractException("TessBaseAPIRecognize failed: " + rc);
            }
            tsv = (MemorySegment) lib.getTsvText.invokeExact(a, 0);
            List<OcrWord> words = tsv.equals(MemorySegment.NULL) ? List.of()
                    : parseTsv(tsv.reinterpret(Long.MAX_VALUE).getString(0));
            return new OcrPage(words, timedOut, System.nanoTime() - start);
        } catch (Throwable t) {
            throw TesseractLibrary.rethrow("TessBaseAPIRecognize", t);
        } finally {
            release(a, monitor, tsv);
        }
    }

    private void release(MemorySegment a, MemorySegment monitor, MemorySegment tsv) {
        try {
            if (!tsv.equals(MemorySegment.NULL)) {
                lib.deleteText.invokeExact(tsv);
            }
            if (!monitor.equals(MemorySegment.NULL)) {
                lib.monitorDelete.invokeExact(monitor);
            }
            // Drops the page and its results so an idle pooled engine holds no image.
            lib.clear.invokeExact(a);
        } catch (Throwable t) {
            throw TesseractLibrary.rethrow("TessBaseAPIClear", t);
        }
    }

    /**
     * Detects the orientation of the text in an 8-bit gray image with a second engine initialized
     * for {@code osd} on first use ({@code osd.traineddata}, which Debian's {@code tesseract-ocr}
     * ships).
     *
     * @param gray {@code width * height} luminance bytes, row-major
     * @param width width in pixels
     * @param height height in pixels
     * @return how far the text is turned, with the confidence; null when there is too little
     *     text to tell
     * @throws IllegalArgumentException when the sizes do not match
     * @throws IllegalStateException after {@link #close()}
     * @throws TesseractException when {@code osd.traineddata} is missing
     */
    public Orientation detectOrientation(byte[] gray, int width, int height) {
        checkImage(gray, width, height);
        api();
        MemorySegment a = osdApi();
        try (Arena arena = Arena.ofConfined()) {
            setImage(a, gray, width, height);
            MemorySegment degrees = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment confidence = arena.allocate(ValueLayout.JAVA_FLOAT);
            MemorySegment script = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment scriptConfidence = arena.allocate(ValueLayout.JAVA_FLOAT);
            int ok = (int) lib.detectOrientationScript.invokeExact(a, degrees, confidence, script, scriptConfidence);
            if (ok == 0) {
                return null;
            }
            return new Orientation(degrees.get(ValueLayout.JAVA_INT, 0), confidence.get(ValueLayout.JAVA_FLOAT, 0));
        } catch (Throwable t) {
            throw TesseractLibrary.rethrow("TessBaseAPIDetectOrientationScript", t);
        } finally {
            release(a, MemorySegment.NULL, MemorySegment.NULL);
        }
    }

    /**
     * The engine that detects orientation: one initialized with {@code osd}, since an engine
     * initialized with a language's LSTM model alone answers orientation queries with noise.
     */
    private MemorySegment osdApi() {
        if (osd == null) {
            osd = create(lib);
            try (Arena arena = Arena.ofConfined()) {
                int rc = (int) lib.init3.invokeExact(osd, MemorySegment.NULL, arena.allocateFrom("osd"));
                if (rc != 0) {
                    throw new TesseractException("Tesseract cannot load osd.traineddata (apt-get install tesseract-ocr)");
                }
                int ignored = (int) lib.setVariable.invokeExact(osd, arena.allocateFrom("debug_file"),
                        arena.allocateFrom("/dev/null"));
            } catch (TesseractException e) {
                deleteQuietly(osd);
                osd = null;
                throw e;
            } catch (Throwable t) {
                throw TesseractLibrary.rethrow("TessBaseAPIInit3", t);
            }
        }
        return osd;
    }

    /**
     * An orientation that Tesseract detected.
     *
     * @param degrees how far the page is turned clockwise from upright: 0, 90, 180 or 270
     *     (Tesseract's {@code orient_deg}; its command line prints it as "Orientation in degrees")
     * @param confidence Tesseract's confidence (above about 2 is usually right)
     */
    public record Orientation(int degrees, float confidence) {
        /** The clockwise turn that makes the page upright. */
        public int uprightTurn() {
            return (360 - degrees) % 360;
        }
    }

    private void setImage(MemorySegment a, byte[] gray, int width, int height) throws Throwable {
        lib.setImage.invokeExact(a, MemorySegment.ofArray(gray), width, height, 1, width);
        // Screen images carry no resolution, and none is set: Tesseract then estimates one from
        // the text's size, as its command line does. A fixed one misleads its size filters (at
        // 300 dpi a 12 px line is 3 pt and dropped as noise) and its orientation detection.
    }

    private void variable(Arena arena, String name, String value) throws Throwable {
        int ok = (int) lib.setVariable.invokeExact(api, arena.allocateFrom(name), arena.allocateFrom(value));
        if (ok == 0) {
            throw new TesseractException("Tesseract has no variable " + name);
        }
    }

    /** Parses the word rows (level 5) of Tesseract's TSV output. */
    static List<OcrWord> parseTsv(String tsv) {
        List<OcrWord> words = new ArrayList<>();
        for (String row : tsv.split("\n")) {
            String[] c = row.split("\t", -1);
            if (c.length < TSV_COLUMNS || !c[0].equals(Integer.toString(WORD_LEVEL))) {
                continue;
            }
            String text = c[11].strip();
            if (text.isEmpty()) {
                continue;
            }
            words.add(new OcrWord(text, Float.parseFloat(c[10]), Integer.parseInt(c[6]), Integer.parseInt(c[7]),
                    Integer.parseInt(c[8]), Integer.parseInt(c[9]), Integer.parseInt(c[2]), Integer.parseInt(c[3]),
                    Integer.parseInt(c[4])));
        }
        return words;
    }

    private static void checkImage(byte[] gray, int width, int height) {
        if (width < 1 || height < 1 || (long) width * height != gray.length) {
            throw new IllegalArgumentException("gray image size differs: " + gray.length + " != " + width + " * "
                    + height);
        }
    }

    private MemorySegment api() {
        if (api == null) {
            throw new IllegalStateException("Tesseract engine is closed");
        }
        return api;
    }

    /** Ends and deletes the engine; idempotent. */
    @Override
    public void close() {
        if (api == null) {
            return;
        }
        MemorySegment a = api;
        api = null;
        deleteQuietly(a);
        if (osd != null) {
            deleteQuietly(osd);
            osd = null;
        }
    }

    private void deleteQuietly(MemorySegment a) {
        try {
            lib.end.invokeExact(a);
            lib.delete.invokeExact(a);
        } catch (Throwable t) {
            throw TesseractLibrary.rethrow("TessBaseAPIDelete", t);
        }
    }
}
