package io.screenmesh.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spectral gate, power spectrum and FIR: accelerated backends against the oracle, and the gate's own promises. */
class SpectralTest {
    static final int RATE = 16000;
    static final int[] LENGTHS = {1, 3, 13, 224, 4098, 48_000};

    static List<String> backends() {
        return Backends.accelerated();
    }

    static List<String> all() {
        return Backends.all();
    }

    static float[] noisyTone(int length, long seed) {
        Random r = new Random(seed);
        float[] x = new float[length];
        for (int t = 0; t < length; t++) {
            boolean on = (t / (RATE / 4)) % 4 == 0;
            x[t] = (float) ((on ? 0.3 * Math.sin(2 * Math.PI * 440 * t / RATE) : 0) + 0.05 * r.nextGaussian());
        }
        return x;
    }

    /** ||a − b|| / ||b||, with ||b|| floored so silent clips compare absolutely. */
    static double relativeError(float[] a, float[] b) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
            norm += (double) b[i] * b[i];
        }
        return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-6);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gateMatchesTheOracleWithin1e4(String id) {
        Spectral fast = Spectral.on(Backends.require(id));
        Spectral oracle = Spectral.on(Backends.ORACLE);
        for (GateConfig cfg : List.of(GateConfig.defaults(RATE), new GateConfig(256, 64, 1.5f, 0.9f, 4, 2, 80f, 1f))) {
            for (int length : LENGTHS) {
                int clips = length < 1000 ? 3 : 1;
                float[] x = noisyTone(clips * length, length);
                float[] expected = new float[x.length];
                float[] actual = new float[x.length];
                oracle.gate(x, expected, clips, length, cfg);
                fast.gate(x, actual, clips, length, cfg);
                double err = relativeError(actual, expected);
                assertTrue(err <= 1e-4, id + " length " + length + " nFft " + cfg.nFft() + ": relative error " + err);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("all")
    void anOpenGateReconstructsTheInputWithin1e5(String id) {
        Spectral spectral = Spectral.on(Backends.require(id));
        for (int length : LENGTHS) {
            float[] x = noisyTone(length, 7 + length);
            for (GateConfig cfg : List.of(GateConfig.defaults(RATE).withPropDecrease(0f),
                    new GateConfig(64, 32, 1f, 0f, 0, 0, 80f, 0f))) {
                float[] y = spectral.gate(x, cfg);
                double maxErr = 0;
                for (int t = 0; t < length; t++) {
                    maxErr = Math.max(maxErr, Math.abs(y[t] - x[t]));
                }
                assertTrue(maxErr <= 1e-5, id + " length " + length + " nFft " + cfg.nFft() + ": max error " + maxErr);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("all")
    void theGateRemovesStationaryNoiseAndKeepsTheTone(String id) {
        Spectral spectral = Spectral.on(Backends.require(id));
        int length = 8 * RATE;
        Random r = new Random(42);
        float[] tone = new float[length];
        float[] noise = new float[length];
        float[] x = new float[length];
        for (int t = 0; t < length; t++) {
            // A 1 kHz tone present a quarter of the time (0.5 s of every 2 s) in white noise 16 dB below it.
            boolean on = (t / (RATE / 2)) % 4 == 1;
            tone[t] = on ? (float) (0.3 * Math.sin(2 * Math.PI * 1000.0 * t / RATE)) : 0f;
            noise[t] = (float) (0.05 * r.nextGaussian());
            x[t] = tone[t] + noise[t];
        }
        float[] y = spectral.gate(x, GateConfig.defaults(RATE));
        double noiseIn = 0;
        double noiseOut = 0;
        double toneIn = 0;
        double toneOut = 0;
        int margin = RATE / 10; // skip 100 ms around each on/off edge, where the mask ramps
        for (int t = 0; t < length; t++) {
            int phase = t % (2 * RATE);
            boolean steadyOn = phase >= RATE / 2 + margin && phase < RATE - margin;
            boolean steadyOff = phase >= RATE + margin && phase < 2 * RATE - margin;
            if (steadyOff) {
                noiseIn += (double) noise[t] * noise[t];
                noiseOut += (double) y[t] * y[t];
            } else if (steadyOn) {
                toneIn += (double) tone[t] * tone[t];
                toneOut += (double) y[t] * y[t];
            }
        }
        double reductionDb = 10 * Math.log10(noiseIn / noiseOut);
        double toneChangeDb = 10 * Math.log10(toneOut / toneIn);
        assertTrue(reductionDb >= 20, id + ": noise reduced by only " + reductionDb + " dB");
        assertTrue(Math.abs(toneChangeDb) <= 1, id + ": tone level changed by " + toneChangeDb + " dB");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void powerSpectrumAndFirMatchTheOracle(String id) {
        Spectral fast = Spectral.on(Backends.require(id));
        Spectral oracle = Spectral.on(Backends.ORACLE);
        float[] taps = Spectral.lowPassTaps(101, 4000, RATE);
        for (int length : LENGTHS) {
            float[] x = noisyTone(length, length + 3);
            double err = relativeError(fast.meanPowerSpectrum(x, 1024, 256), oracle.meanPowerSpectrum(x, 1024, 256));
            assertTrue(err <= 1e-4, id + " power spectrum length " + length + ": " + err);
            float[] expected = new float[length];
            float[] actual = new float[length];
            oracle.fir(x, expected, 1, length, taps);
            fast.fir(x, actual, 1, length, taps);
            err = relativeError(actual, expected);
            assertTrue(err <= 1e-5, id + " FIR length " + length + ": " + err);
        }
    }

    @ParameterizedTest
    @MethodSource("all")
    void bandEnergiesFindUltrasoundAndTheLowPassRemovesIt(String id) {
        Spectral spectral = Spectral.on(Backends.require(id));
        int rate = 48000;
        float[] x = new float[rate];
        for (int t = 0; t < x.length; t++) {
            x[t] = (float) (0.2 * Math.sin(2 * Math.PI * 300.0 * t / rate) + 0.2 * Math.sin(2 * Math.PI * 21000.0 * t / rate));
        }
        double[] bands = spectral.bandEnergies(x, rate, 1024, 256, 0, 20000, 24000);
        assertEquals(1.0, bands[1] / bands[0], 0.05, "both tones carry the same energy");
        float[] y = new float[x.length];
        spectral.lowPass(x, y, 1, x.length, rate, 8000, 255);
        double[] after = spectral.bandEnergies(y, rate, 1024, 256, 0, 20000, 24000);
        assertTrue(10 * Math.log10(after[1] / after[0]) < -40, "ultrasound left after low-pass: " + after[1] / after[0]);
        assertEquals(1.0, after[0] / bands[0], 0.02, "audible tone kept");
    }

    @Test
    void facadeSaysTheNumbers() {
        Spectral s = Spectral.on(Backends.ORACLE);
        var e = assertThrows(IllegalArgumentException.class, () -> s.gate(new float[10], new float[9], 1, 10, GateConfig.defaults(RATE)));
        assertEquals("out length differs: 9 != 10", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GateConfig(1000, 256, 1.5f, 1f, 1, 1, 80f, 0f));
        assertEquals("nFft must be a power of two in [16, 65536]: 1000", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GateConfig(1024, 600, 1.5f, 1f, 1, 1, 80f, 0f));
        assertEquals("hop must be in [1, nFft/2 = 512]: 600", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.fir(new float[4], new float[4], 1, 4, new float[2]));
        assertEquals("FIR needs an odd number of taps in [1, 4095]: 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Spectral.lowPassTaps(101, 9000, 16000));
    }
}
