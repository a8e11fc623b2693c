package io.screenmesh.bench.jmh;

import io.screenmesh.kernels.GateConfig;
import io.screenmesh.kernels.Spectral;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Audio sanitizing of one 30 s clip at 16 kHz, the clip of the peer {@code bench_audio.py} (a
 * 440 Hz tone switched on and off at 0.5 Hz under white noise): the stationary spectral gate
 * (STFT → noise profile → mask → iSTFT, n_fft 1024, hop 256) and a 101-tap FIR low-pass at 4 kHz.
 * One operation is one clip: audio-seconds per second = 30 × ops/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SpectralBenchmark {
    /** Sample rate of the clip. */
    public static final int RATE = 16_000;
    /** Clip duration in seconds. */
    public static final int SECONDS = 30;
    /** FIR length of the low-pass, as the peer's {@code firwin(101, 4000)}. */
    public static final int TAPS = 101;

    /** Backend id: java, native or cuda. */
    @Param({"java"})
    public String backend;

    private Spectral spectral;
    private GateConfig gate;
    private float[] taps;
    private float[] in;
    private float[] out;

    /** Starts the backend and synthesizes the clip. */
    @Setup(Level.Trial)
    public void setUp() {
        spectral = Spectral.on(Backends.start(backend));
        gate = GateConfig.defaults(RATE);
        if (gate.nFft() != 1024 || gate.hop() != 256) {
            throw new IllegalStateException("the peer frames with n_fft 1024, hop 256; defaults are now " + gate);
        }
        taps = Spectral.lowPassTaps(TAPS, 4000f, RATE);
        in = new float[RATE * SECONDS];
        out = new float[in.length];
        SplittableRandom random = new SplittableRandom(0);
        for (int i = 0; i < in.length; i++) {
            double t = (double) i / RATE;
            double tone = Math.sin(2 * Math.PI * 0.5 * t) > 0 ? 0.3 * Math.sin(2 * Math.PI * 440 * t) : 0;
            in[i] = (float) (tone + 0.05 * random.nextGaussian());
        }
    }

    /** STFT → stationary gate → iSTFT over the whole clip. */
    @Benchmark
    public float[] gate() {
        spectral.gate(in, out, 1, in.length, gate);
        return out;
    }

    /** 101-tap linear-phase low-pass over the whole clip. */
    @Benchmark
    public float[] lowPass() {
        spectral.fir(in, out, 1, in.length, taps);
        return out;
    }
}
