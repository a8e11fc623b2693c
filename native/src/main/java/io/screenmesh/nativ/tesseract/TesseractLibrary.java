package io.screenmesh.nativ.tesseract;

import io.screenmesh.nativ.NativeLoader;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Hand-written FFM bindings to Tesseract 5's C API ({@code tesseract/capi.h}), loaded once per
 * process through {@link NativeLoader} as {@code tesseract} with the fallback soname
 * {@code libtesseract.so.5} (so {@code -Dscreenmesh.native.tesseract.path} may point at another
 * build).
 *
 * <p>Tesseract's OpenMP threads cost far more than they give on small images with few cores
 * (185 ms against 21 ms for a 900×120 line on 2 cores), and libgomp reads its limit once, when it
 * is first loaded. So before loading, {@link #load()} sets {@code OMP_THREAD_LIMIT=1} in the
 * process environment unless the variable is already set; {@link #ompThreadLimit()} tells what
 * libgomp applies. When another OpenMP library of the process (our {@code libscreenmesh.so})
 * was loaded earlier, only the variable set before the JVM started counts: the launcher sets it
 * for image-screening.
 *
 * <p>Instances are immutable and thread-safe; the engines they create are not (see
 * {@link Tesseract}).
 */
public final class TesseractLibrary {
    /** The environment variable that caps libgomp's threads. */
    public static final String OMP_THREAD_LIMIT = "OMP_THREAD_LIMIT";

    private static TesseractLibrary loaded;
    private static TesseractException failure;

    final MethodHandle version;
    final MethodHandle create;
    final MethodHandle init3;
    final MethodHandle setPageSegMode;
    final MethodHandle setVariable;
    final MethodHandle setImage;
    final MethodHandle setSourceResolution;
    final MethodHandle recognize;
    final MethodHandle getTsvText;
    final MethodHandle deleteText;
    final MethodHandle clear;
    final MethodHandle end;
    final MethodHandle delete;
    final MethodHandle detectOrientationScript;
    final MethodHandle monitorCreate;
    final MethodHandle monitorDelete;
    final MethodHandle monitorSetDeadline;
    private static final MethodHandle GETENV = libc("getenv", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle SETENV = libc("setenv", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));

    private TesseractLibrary(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        version = bind(linker, lib, "TessVersion", FunctionDescriptor.of(ADDRESS));
        create = bind(linker, lib, "TessBaseAPICreate", FunctionDescriptor.of(ADDRESS));
        init3 = bind(linker, lib, "TessBaseAPIInit3", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        setPageSegMode = bind(linker, lib, "TessBaseAPISetPageSegMode", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        setVariable = bind(linker, lib, "TessBaseAPISetVariable",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        // Tesseract copies the pixels into its own image during the call, so a heap array may be
        // passed directly (critical: the collector waits while the call runs).
        setImage = linker.downcallHandle(symbol(lib, "TessBaseAPISetImage"),
                FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                Linker.Option.critical(true));
        setSourceResolution = bind(linker, lib, "TessBaseAPISetSourceResolution",
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        recognize = bind(linker, lib, "TessBaseAPIRecognize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        getTsvText = bind(linker, lib, "TessBaseAPIGetTsvText", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        deleteText = bind(linker, lib, "TessDeleteText", FunctionDescriptor.ofVoid(ADDRESS));
        clear = bind(linker, lib, "TessBaseAPIClear", FunctionDescriptor.ofVoid(ADDRESS));
        end = bind(linker, lib, "TessBaseAPIEnd", FunctionDescriptor.ofVoid(ADDRESS));
        delete = bind(linker, lib, "TessBaseAPIDelete", FunctionDescriptor.ofVoid(ADDRESS));
        detectOrientationScript = bind(linker, lib, "TessBaseAPIDetectOrientationScript",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        monitorCreate = bind(linker, lib, "TessMonitorCreate", FunctionDescriptor.of(ADDRESS));
        monitorDelete = bind(linker, lib, "TessMonitorDelete", FunctionDescriptor.ofVoid(ADDRESS));
        monitorSetDeadline = bind(linker, lib, "TessMonitorSetDeadlineMSecs",
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    }

    /**
     * Loads libtesseract once per process (after setting {@code OMP_THREAD_LIMIT=1} when unset)
     * and returns its bindings; a failure is remembered and thrown again on each call.
     *
     * @throws TesseractException when the library or one of its functions is missing; the message
     *     lists every path tried and the Debian packages to install
     */
    public static synchronized TesseractLibrary load() {
        if (loaded != null) {
            return loaded;
        }
        if (failure != null) {
            throw failure;
        }
        try {
            if (getenv(OMP_THREAD_LIMIT) == null) {
                setenv(OMP_THREAD_LIMIT, "1");
            }
            loaded = new TesseractLibrary(NativeLoader.load("tesseract", "libtesseract.so.5"));
            return loaded;
        } catch (UnsatisfiedLinkError | IllegalArgumentException e) {
            failure = new TesseractException("Tesseract 5 is not available (apt-get install tesseract-ocr "
                    + "tesseract-ocr-eng libtesseract-dev): " + e.getMessage(), e);
            throw failure;
        }
    }

    /** Tesseract's version string, such as {@code 5.3.0}. */
    public String version() {
        try {
            MemorySegment s = (MemorySegment) version.invokeExact();
            return s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow("TessVersion", t);
        }
    }

    /**
     * The thread limit that libgomp, as loaded with libtesseract, actually applies
     * ({@code omp_get_thread_limit()}): 1 when {@code OMP_THREAD_LIMIT=1} took effect, larger when
     * libgomp had read its environment before the variable was set; -1 when this libtesseract was
     * built without OpenMP.
     */
    public int ompThreadLimit() {
        try {
            SymbolLookup gomp = SymbolLookup.libraryLookup("libgomp.so.1", Arena.global());
            MemorySegment f = gomp.find("omp_get_thread_limit").orElse(null);
            if (f == null) {
                return -1;
            }
            MethodHandle h = Linker.nativeLinker().downcallHandle(f, FunctionDescriptor.of(JAVA_INT));
            return (int) h.invokeExact();
        } catch (IllegalArgumentException notLinked) {
            return -1;
        } catch (Throwable t) {
            throw rethrow("omp_get_thread_limit", t);
        }
    }

    private static String getenv(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = (MemorySegment) GETENV.invokeExact(arena.allocateFrom(name));
            return v.equals(MemorySegment.NULL) ? null : v.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow("getenv", t);
        }
    }

    private static void setenv(String name, String value) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) SETENV.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 0);
            if (rc != 0) {
                throw new TesseractException("setenv(" + name + ") failed: " + rc);
            }
        } catch (TesseractException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow("setenv", t);
        }
    }

    static RuntimeException rethrow(String function, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        // invokeExact only throws what the target throws; a C function throws nothing.
        return new IllegalStateException(function + " threw", t);
    }

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(symbol(linker.defaultLookup(), name), fd);
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd) {
        return linker.downcallHandle(symbol(lib, name), fd);
    }

    private static MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalArgumentException(
                "the loaded libtesseract does not export " + name + " (Tesseract 5 is needed)"));
    }
}
