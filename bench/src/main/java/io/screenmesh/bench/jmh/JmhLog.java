package io.screenmesh.bench.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads why a benchmark produced no result out of JMH's human-readable log. */
final class JmhLog {
    private JmhLog() {
    }

    /**
     * The first error line logged while running {@code benchmark} (with {@code backend = id} when
     * {@code backend} is not null): a crash of the fork ({@code SIGSEGV …}) or the exception a
     * setup or the benchmark threw. Empty when the log is missing or names no error.
     */
    static Optional<String> failure(Path log, String benchmark, String backend) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        String current = null;
        String params = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("# Benchmark: ")) {
                current = line.substring("# Benchmark: ".length()).strip();
                params = "";
            } else if (line.startsWith("# Parameters: ")) {
                params = line;
            } else if (benchmark.equals(current) && (backend == null || hasBackend(params, backend))) {
                String t = line.strip().replaceFirst("^#\\s*", "");
                if (t.matches("^SIG[A-Z]+ .*")) {
                    // the crash line, then the frame that crashed ("C  [libfftw3f.so.3+0x1a1dba]")
                    for (int j = i + 1; j < Math.min(lines.size(), i + 8); j++) {
                        String frame = lines.get(j).replaceFirst("^#\\s*", "").strip();
                        if (frame.matches("^[CJjV]\\s+\\[.*")) {
                            return Optional.of("fork crashed: " + t + " in " + frame.substring(1).strip());
                        }
                    }
                    return Optional.of("fork crashed: " + t);
                }
                if (t.matches("^[\\w.$]+(Exception|Error)(: .*)?$")) {
                    return Optional.of(t.length() > 300 ? t.substring(0, 300) + "…" : t);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean hasBackend(String params, String backend) {
        return params.contains("backend = " + backend + ",") || params.contains("backend = " + backend + ")");
    }
}
