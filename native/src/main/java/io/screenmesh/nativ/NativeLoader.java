package io.screenmesh.nativ;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one loader of native libraries: finds a library once, keeps it loaded for the life of the
 * JVM and returns its symbols. Idempotent and thread-safe.
 *
 * <p>Search order for a library {@code name} (file {@code lib<name>.so}):
 * <ol>
 *   <li>the system property {@code screenmesh.native.<name>.path}: a file, or a directory holding the file;</li>
 *   <li>the resource {@code /native/<os>-<arch>/lib<name>.so} bundled in a jar on the class path,
 *       extracted to a private temporary directory (deleted on exit);</li>
 *   <li>the system library {@code lib<name>.so} through the dynamic linker ({@code LD_LIBRARY_PATH},
 *       {@code /etc/ld.so.cache}), and the extra sonames given by the caller (e.g. {@code libtesseract.so.5}).</li>
 * </ol>
 * The failure message lists the OS, the architecture and every path tried with its error.
 */
public final class NativeLoader {
    private static final ConcurrentHashMap<String, SymbolLookup> LOADED = new ConcurrentHashMap<>();

    private NativeLoader() {
    }

    /**
     * Loads (once) and returns the symbols of library {@code name}.
     *
     * @param name            the library name without {@code lib} and {@code .so}, e.g. {@code "screenmesh"}
     * @param systemFallbacks further file names to try with the dynamic linker, e.g. {@code "libfoo.so.5"}
     * @throws UnsatisfiedLinkError when no candidate loads; the message lists every path tried
     */
    public static SymbolLookup load(String name, String... systemFallbacks) {
        return LOADED.computeIfAbsent(name, n -> find(n, systemFallbacks));
    }

    /** {@code linux-x86_64}, {@code linux-aarch64}, … : the resource folder for this platform. */
    public static String platform() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.contains("mac") ? "darwin" : os.contains("win") ? "windows" : os;
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return o + "-" + a;
    }

    private static SymbolLookup find(String name, String[] systemFallbacks) {
        String file = "lib" + name + ".so";
        List<String> tried = new ArrayList<>();
        String property = "screenmesh.native." + name + ".path";
        String configured = System.getProperty(property);
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (Files.isDirectory(p)) {
                p = p.resolve(file);
            }
            SymbolLookup found = tryPath(p, property + "=" + configured, tried);
            if (found != null) {
                return found;
            }
        } else {
            tried.add(property + ": not set");
        }
        String resource = "/native/" + platform() + "/" + file;
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                tried.add("resource " + resource + ": not on the class path");
            } else {
                Path dir = Files.createTempDirectory("screenmesh-native-");
                Path target = dir.resolve(file);
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                target.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                SymbolLookup found = tryPath(target, "resource " + resource + " extracted to " + target, tried);
                if (found != null) {
                    return found;
                }
            }
        } catch (IOException e) {
            tried.add("resource " + resource + ": " + e);
        }
        List<String> names = new ArrayList<>();
        names.add(file);
        names.addAll(List.of(systemFallbacks));
        for (String soname : names) {
            try {
                return SymbolLookup.libraryLookup(soname, Arena.global());
            } catch (IllegalArgumentException | IllegalCallerException e) {
                tried.add("system library " + soname + ": " + e.getMessage());
            }
        }
        throw new UnsatisfiedLinkError("cannot load native library '" + name + "' on "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + " (" + platform()
                + "); tried: " + String.join("; ", tried));
    }

    private static SymbolLookup tryPath(Path path, String label, List<String> tried) {
        if (!Files.isRegularFile(path)) {
            tried.add(label + ": no such file");
            return null;
        }
        try {
            return SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            // The message carries dlerror(): often a missing dependency such as libfftw3f.so.3.
            tried.add(label + ": " + e.getMessage());
            return null;
        }
    }
}
