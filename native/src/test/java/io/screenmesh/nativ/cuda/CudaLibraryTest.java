package io.screenmesh.nativ.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaLibraryTest {

    @Test
    void failureListsPlatformAndEveryPathTried() {
        List<String> names = List.of("libscreenmesh-absent.so.99", "libscreenmesh-absent.so");
        CudaLibraryException e = assertThrows(CudaLibraryException.class,
                () -> CudaLibrary.load("test library", names));
        List<String> expected = CudaLibrary.candidatePaths(names);
        assertEquals(expected.size(), e.tried().size(), e.tried().toString());
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(e.tried().get(i).startsWith(expected.get(i)), e.tried().get(i));
            assertTrue(e.getMessage().contains(expected.get(i)), e.getMessage());
        }
        assertTrue(e.getMessage().contains(System.getProperty("os.arch")), e.getMessage());
        assertTrue(e.getMessage().contains("/usr/local/cuda/lib64/libscreenmesh-absent.so.99"), e.getMessage());
        assertEquals("NOT_FOUND", e.statusName());
    }

    @Test
    void searchOrderIsPropertyThenCudaDirectoriesThenLoaderSearch(@TempDir Path dir) {
        String previous = System.getProperty(CudaLibrary.LIBPATH_PROPERTY);
        System.setProperty(CudaLibrary.LIBPATH_PROPERTY, dir.toString());
        try {
            List<String> paths = CudaLibrary.candidatePaths(List.of("libcufft.so.12", "libcufft.so.11"));
            assertEquals(dir.resolve("libcufft.so.12").toString(), paths.get(0));
            assertEquals(dir.resolve("libcufft.so.11").toString(), paths.get(1));
            assertTrue(paths.indexOf("/usr/local/cuda/lib64/libcufft.so.12") > 1, paths.toString());
            assertEquals(List.of("libcufft.so.12", "libcufft.so.11"), paths.subList(paths.size() - 2, paths.size()));
        } finally {
            restore(previous);
        }
    }

    @Test
    void loadsTheFirstCandidateTheLoaderAcceptsAndBindsBySymbol() throws Throwable {
        // libc stands in for a CUDA library: the same lookup path must find and bind it by name.
        CudaLibrary libc = CudaLibrary.load("C library", List.of("libscreenmesh-absent.so.1", "libc.so.6"));
        assertEquals("libc.so.6", libc.soname());
        assertTrue(libc.tried().getLast().endsWith("(loaded)"), libc.tried().toString());
        MethodHandle strlen = libc.function("strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(9L, (long) strlen.invokeExact(arena.allocateFrom("screening")));
        }
        CudaLibraryException missing = assertThrows(CudaLibraryException.class,
                () -> libc.function("cufftPlanMany", FunctionDescriptor.of(JAVA_LONG)));
        assertTrue(missing.getMessage().contains("does not export cufftPlanMany"), missing.getMessage());
    }

    @Test
    void cuFftAndCuBlasEitherBindOrListWhatTheyTried() {
        // On a machine with the CUDA libraries this binds them; without, it must say what it tried.
        for (Runnable load : List.<Runnable>of(() -> CuFft.load().library(), () -> CuBlas.load().library())) {
            try {
                load.run();
            } catch (CudaLibraryException e) {
                assertTrue(e.getMessage().contains("tried: /usr/local/cuda/lib64/"), e.getMessage());
                assertTrue(e.tried().size() >= 4, e.tried().toString());
            }
        }
        assertEquals("CUFFT_INVALID_SIZE", CuFft.statusName(8));
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", CuBlas.statusName(7));
    }

    private static void restore(String previous) {
        if (previous == null) {
            System.clearProperty(CudaLibrary.LIBPATH_PROPERTY);
        } else {
            System.setProperty(CudaLibrary.LIBPATH_PROPERTY, previous);
        }
    }
}
