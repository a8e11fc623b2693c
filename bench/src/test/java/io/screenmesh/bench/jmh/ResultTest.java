package io.screenmesh.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTest {

    private static Result ok(String op, String backend, double value, String peer, double peerValue) {
        return new Result(op, backend, "x/s", value, null, peer, peerValue, value / peerValue, "ok", null, null, null,
                null, null, null);
    }

    @Test
    void jsonHasTheDocumentedKeysAndEscapes() {
        Result skipped = new Result("median3x3-f32", "cuda", "img/s", null, null, "ART", null, null, "skipped",
                "no \"driver\"\nhere", 200.0, null, null, null, null);
        String json = Result.toJson(List.of(ok("cosine-top10-100k", "native", 2500, "numpy", 625), skipped));
        assertTrue(json.startsWith("[\n  {\"op\": \"cosine-top10-100k\", \"backend\": \"native\", \"unit\": \"x/s\", "
                + "\"value\": 2500, \"peer\": \"numpy\", \"peer_value\": 625, \"ratio\": 4, \"status\": \"ok\""), json);
        assertTrue(json.contains("\"value\": null"), json);
        assertTrue(json.contains("\"reason\": \"no \\\"driver\\\"\\nhere\""), json);
        assertTrue(json.strip().endsWith("}\n]".strip()), json);
    }

    @Test
    void bitDepthIsJudgedAgainstTheBestCopyBandwidthOfTheRun() {
        // one image is 224·224·3 floats = 602,112 bytes, read and written: 1.204 MB per image
        List<Result> judged = BenchSuite.withBandwidth(List.of(
                ok("memcopy-2threads", "jvm", 40.0, "numpy copyto, 2 threads", 50.0),
                ok("bitdepth5-f32", "native", 40_000, "numpy in place", 13_000),
                ok("bitdepth5-f32", "native", 40_000, "ART FeatureSqueezing", 760)));
        Result numpy = judged.get(1);
        assertEquals(50.0, numpy.membwGbps(), 1e-9);
        assertEquals(40_000.0 * 602_112 * 2 / 1e9, numpy.bandwidthGbps(), 1e-9);
        assertEquals(numpy.bandwidthGbps() / 50.0, numpy.membwFraction(), 1e-12);
        assertTrue(numpy.met());
        assertEquals(0.8, numpy.target(), 0);
        assertNull(judged.get(2).membwGbps(), "the bandwidth is reported once per backend");

        Result slow = BenchSuite.withBandwidth(List.of(ok("memcopy-2threads", "jvm", 40.0, "numpy", 50.0),
                ok("bitdepth5-f32", "native", 20_000, "numpy in place", 13_000))).get(1);
        assertFalse(slow.met());
    }

    @Test
    void theJavaOracleGetsTheBandwidthButNoVerdict() {
        Result oracle = BenchSuite.withBandwidth(List.of(ok("memcopy-2threads", "jvm", 40.0, "numpy", 50.0),
                ok("bitdepth5-f32", "java", 20_000, "numpy in place", 13_000))).get(1);
        assertEquals(20_000.0 * 602_112 * 2 / 1e9 / 50.0, oracle.membwFraction(), 1e-12);
        assertNull(oracle.target());
        assertNull(oracle.met());
        assertTrue(Result.toTable(List.of(oracle)).contains("% of membw 50.0 GB/s"));
    }
}
