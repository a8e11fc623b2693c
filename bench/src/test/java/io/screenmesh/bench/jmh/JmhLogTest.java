package io.screenmesh.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JmhLogTest {

    @TempDir
    Path dir;

    private Path log() throws IOException {
        Path log = dir.resolve("jmh.log");
        if (Files.exists(log)) {
            return log;
        }
        try (InputStream in = JmhLogTest.class.getResourceAsStream("jmh-crash.txt")) {
            Files.copy(in, log);
        }
        return log;
    }

    @Test
    void namesTheCrashAndTheLibraryOfTheBackendThatCrashed() throws IOException {
        String why = JmhLog.failure(log(), "io.screenmesh.bench.jmh.SpectralBenchmark.gate", "native").orElseThrow();
        assertEquals("fork crashed: SIGSEGV (0xb) at pc=0x00007f7417ba1dba, pid=3323, tid=3396 in [libfftw3f.so.3+0x1a1dba]", why);
    }

    @Test
    void anotherBackendOrBenchmarkInTheSameLogIsNotBlamed() throws IOException {
        assertTrue(JmhLog.failure(log(), "io.screenmesh.bench.jmh.SpectralBenchmark.gate", "java").isEmpty());
        assertTrue(JmhLog.failure(log(), "io.screenmesh.bench.jmh.SpectralBenchmark.lowPass", "native").isEmpty());
        assertTrue(JmhLog.failure(dir.resolve("absent.log"), "x", "native").isEmpty());
    }
}
