package io.screenmesh.kernels;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every backend, the java oracle included, against golden outputs that numpy/scipy compute
 * the way IBM ART does ({@code squeeze_golden.py}, run with /usr/bin/python3), bit for bit.
 * Skipped with the reason when python3, numpy or scipy are missing
 * (Debian: {@code apt-get install python3-numpy python3-scipy}).
 */
class SqueezeGoldenTest {
    static final List<Nhwc> SHAPES = List.of(new Nhwc(1, 1, 1, 1), new Nhwc(1, 2, 3, 1), new Nhwc(3, 2, 3, 3),
            new Nhwc(1, 13, 7, 3), new Nhwc(5, 13, 7, 1), new Nhwc(1, 224, 224, 3), new Nhwc(3, 224, 224, 3));
    static final float[][] CLIPS = {{0f, 1f}, {-1f, 1f}, {0f, 255f}};

    record Case(String op, boolean f32, Nhwc shape, int param, float lo, float hi, Object input, Path golden) {
        @Override
        public String toString() {
            return op + (f32 ? " float32 " : " uint8 ") + shape + " " + param + (f32 && op.equals("bitdepth") ? " [" + lo + "," + hi + "]" : "");
        }
    }

    static final List<Case> CASES = new ArrayList<>();
    static String unavailable;

    @TempDir
    static Path dir;

    @BeforeAll
    static void produceGoldens() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python)) {
            unavailable = "/usr/bin/python3 not found (apt-get install python3-numpy python3-scipy)";
            return;
        }
        Path script = dir.resolve("squeeze_golden.py");
        try (InputStream in = SqueezeGoldenTest.class.getResourceAsStream("/squeeze_golden.py")) {
            Files.copy(in, script);
        }
        StringBuilder manifest = new StringBuilder();
        int id = 0;
        for (Nhwc s : SHAPES) {
            for (boolean f32 : new boolean[] {true, false}) {
                Object input = f32 ? SqueezeTest.floats(s.elements(), id) : SqueezeTest.bytes(s.elements(), id);
                Path in = dir.resolve("in" + id);
                Files.write(in, f32 ? toBytes((float[]) input) : (byte[]) input);
                id++;
                List<Case> cases = new ArrayList<>();
                for (int bits : new int[] {1, 2, 4, 5, 8}) {
                    for (float[] clip : f32 ? CLIPS : new float[][] {{0f, 255f}}) {
                        cases.add(new Case("bitdepth", f32, s, bits, clip[0], clip[1], input, dir.resolve("out" + id++)));
                    }
                }
                for (int w : new int[] {2, 3}) {
                    cases.add(new Case("median", f32, s, w, 0f, 0f, input, dir.resolve("out" + id++)));
                }
                for (Case c : cases) {
                    manifest.append(String.join(" ", c.op, f32 ? "float32" : "uint8", "" + s.n(), "" + s.height(),
                            "" + s.width(), "" + s.channels(), "" + c.param, Float.toString(c.lo), Float.toString(c.hi),
                            in.toString(), c.golden.toString())).append('\n');
                }
                CASES.addAll(cases);
            }
        }
        Path list = dir.resolve("manifest.txt");
        Files.writeString(list, manifest);
        Process p = new ProcessBuilder(python.toString(), script.toString(), list.toString())
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
            throw new AssertionError("golden generator timed out after 120 s: " + output);
        }
        if (p.exitValue() != 0) {
            if (output.contains("ModuleNotFoundError")) {
                unavailable = "numpy/scipy missing for /usr/bin/python3 (apt-get install python3-numpy python3-scipy): " + output.strip();
                return;
            }
            throw new AssertionError("golden generator failed: " + output);
        }
    }

    static List<String> backends() {
        return Backends.all();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void bitIdenticalToNumpyAndScipy(String id) throws IOException {
        assumeTrue(unavailable == null, () -> "golden outputs unavailable: " + unavailable);
        Squeeze squeeze = Squeeze.on(Backends.require(id));
        for (Case c : CASES) {
            byte[] golden = Files.readAllBytes(c.golden);
            if (c.f32) {
                float[] x = (float[]) c.input;
                float[] y = new float[x.length];
                if (c.op.equals("bitdepth")) {
                    squeeze.bitDepth(x, y, c.param, c.lo, c.hi);
                    SqueezeTest.assertBitsEqual(toFloats(golden), y, id + ": " + c);
                } else {
                    squeeze.median(x, y, c.shape, c.param);
                    SqueezeTest.assertSameMedian(toFloats(golden), y, id + ": " + c);
                }
            } else {
                byte[] x = (byte[]) c.input;
                byte[] y = new byte[x.length];
                if (c.op.equals("bitdepth")) {
                    squeeze.bitDepth(x, y, c.param);
                } else {
                    squeeze.median(x, y, c.shape, c.param);
                }
                assertArrayEquals(golden, y, id + ": " + c);
            }
        }
    }

    private static byte[] toBytes(float[] x) {
        ByteBuffer b = ByteBuffer.allocate(x.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(x);
        return b.array();
    }

    private static float[] toFloats(byte[] bytes) {
        float[] f = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }
}
