package io.screenmesh.nativ.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A CUDA toolkit library (cuFFT, cuBLAS) found by name at run time and kept loaded for the life of
 * the process.
 *
 * <p>The libraries are looked up by name rather than linked at build time so that one build runs
 * against the CUDA 12 and the CUDA 13 libraries, whose sonames differ ({@code libcufft.so.11} in
 * CUDA 12, {@code libcufft.so.12} in CUDA 13; {@code libcublas.so.12} and {@code .13}).
 *
 * <p>Search order, first hit wins:
 * <ol>
 *   <li>each directory of the system property {@code screenmesh.cuda.libpath} (path-separator
 *       separated), for each candidate soname;</li>
 *   <li>{@code $CUDA_HOME/lib64} and {@code $CUDA_PATH/lib64}, then {@code /usr/local/cuda/lib64}
 *       and {@code /usr/local/cuda/targets/x86_64-linux/lib};</li>
 *   <li>each candidate soname through the dynamic loader's own search ({@code LD_LIBRARY_PATH},
 *       the {@code ld.so} cache), which also finds libraries installed by distribution packages.</li>
 * </ol>
 * A failure lists the OS, the architecture and every path tried (see {@link #tried()} and
 * {@link CudaLibraryException#tried()}).
 */
public final class CudaLibrary {

    /** System property: extra directories searched first for CUDA libraries. */
    public static final String LIBPATH_PROPERTY = "screenmesh.cuda.libpath";

    private static final List<String> FIXED_DIRECTORIES =
            List.of("/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib");

    private final String soname;
    private final String location;
    private final SymbolLookup lookup;
    private final List<String> tried;

    private CudaLibrary(String soname, String location, SymbolLookup lookup, List<String> tried) {
        this.soname = soname;
        this.location = location;
        this.lookup = lookup;
        this.tried = List.copyOf(tried);
    }

    /**
     * Loads the first library found among {@code sonames}, in the search order of this class.
     *
     * @param description what the library is, for messages ("cuFFT")
     * @param sonames candidate file names, preferred first ({@code libcufft.so.12, libcufft.so.11, ...})
     * @return the loaded library; it stays loaded until the process exits
     * @throws CudaLibraryException when none of the candidates loads; its message and
     *     {@link CudaLibraryException#tried()} list every path tried
     */
    public static CudaLibrary load(String description, List<String> sonames) {
        Objects.requireNonNull(description, "description");
        if (sonames == null || sonames.isEmpty()) {
            throw new IllegalArgumentException("no candidate library names for " + description);
        }
        List<String> candidates = candidatePaths(sonames);
        List<String> tried = new ArrayList<>(candidates.size());
        for (String candidate : candidates) {
            boolean absolute = candidate.startsWith("/");
            if (absolute && !Files.isRegularFile(Path.of(candidate))) {
                tried.add(candidate + " (absent)");
                continue;
            }
            try {
                // Global arena: CUDA libraries keep internal state (plans, handles) that must
                // never be unloaded under a live handle, so they stay for the process lifetime.
                SymbolLookup lookup = absolute
                        ? SymbolLookup.libraryLookup(Path.of(candidate), Arena.global())
                        : SymbolLookup.libraryLookup(candidate, Arena.global());
                tried.add(candidate + " (loaded)");
                return new CudaLibrary(fileName(candidate), candidate, lookup, tried);
            } catch (IllegalArgumentException notLoadable) {
                // libraryLookup reports dlopen failures as IllegalArgumentException.
                tried.add(candidate + " (" + firstLine(notLoadable.getMessage()) + ")");
            }
        }
        throw CudaLibraryException.notFound(description, platform(), tried);
    }

    /**
     * Lists, in order, the paths and names that {@link #load} tries for {@code sonames}.
     *
     * @param sonames candidate file names, preferred first
     * @return absolute paths first, bare names (for the dynamic loader's search) last
     */
    public static List<String> candidatePaths(List<String> sonames) {
        List<String> directories = new ArrayList<>();
        String property = System.getProperty(LIBPATH_PROPERTY, "");
        for (String entry : property.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                directories.add(entry.strip());
            }
        }
        for (String variable : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = System.getenv(variable);
            if (home != null && !home.isBlank()) {
                directories.add(Path.of(home, "lib64").toString());
            }
        }
        for (String fixed : FIXED_DIRECTORIES) {
            if (!directories.contains(fixed)) {
                directories.add(fixed);
            }
        }
        List<String> paths = new ArrayList<>();
        for (String directory : directories) {
            for (String soname : sonames) {
                paths.add(Path.of(directory, soname).toString());
            }
        }
        paths.addAll(sonames);
        return paths;
    }

    /**
     * Binds a C function of this library.
     *
     * @param name the exported symbol
     * @param descriptor its C signature
     * @return a downcall handle
     * @throws CudaLibraryException when the symbol is not exported (a library too old or too new)
     */
    public MethodHandle function(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> CudaLibraryException.missingSymbol(
                soname, location, name));
        return Linker.nativeLinker().downcallHandle(symbol, descriptor);
    }

    /** Returns the file name that loaded, e.g. {@code libcufft.so.12}. */
    public String soname() {
        return soname;
    }

    /** Returns the path or name that the dynamic loader accepted. */
    public String location() {
        return location;
    }

    /** Returns every path tried before this library loaded, with the outcome of each. */
    public List<String> tried() {
        return tried;
    }

    /** Returns {@code "<os> <arch>"} of this JVM, as failure messages name it. */
    public static String platform() {
        return System.getProperty("os.name", "?").toLowerCase(Locale.ROOT) + " "
                + System.getProperty("os.arch", "?");
    }

    private static String fileName(String candidate) {
        int slash = candidate.lastIndexOf('/');
        return slash < 0 ? candidate : candidate.substring(slash + 1);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "not loadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    @Override
    public String toString() {
        return soname + " from " + location;
    }
}
