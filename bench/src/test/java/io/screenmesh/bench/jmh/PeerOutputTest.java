package io.screenmesh.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PeerOutputTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = PeerOutputTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsEveryReportLineOfARealRunAndNothingElse() throws IOException {
        PeerOutput out = PeerOutput.parse(resource("peer-bench_embed.txt"));
        // BLAS banner, shape line and the indented bandwidth line are not figures
        assertEquals(4, out.figures().size(), out.figures().keySet().toString());
        PeerOutput.Figure total = out.find("cosine top-10 total").orElseThrow();
        assertEquals("cosine top-10 total, N=100000", total.name());
        assertEquals(99.4, total.value(), 1e-9);
        assertEquals("queries/s", total.unit());
        assertEquals(643.61, total.medianMillis(), 1e-9);
        assertEquals("GFLOP/s", out.find("SGEMM").orElseThrow().unit());
    }

    @Test
    void unitsWithSlashesAndNamesWithBracketsParse() {
        String line = "copy 1 GiB, 2 threads             [GB/s, R+W]              median    219.06 ms  (min   185.68, max   334.33)"
                + "  ->          9.8 GB/s";
        PeerOutput out = PeerOutput.parse("header\n" + line + "\n");
        PeerOutput.Figure f = out.find("copy 1 GiB, 2 threads").orElseThrow();
        assertEquals(9.8, f.value(), 1e-9);
        assertEquals("GB/s", f.unit());
        assertTrue(out.find("copy 1 GiB, 1 thread").isEmpty());
    }
}
