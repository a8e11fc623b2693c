package io.screenmesh.kernels.java;

import io.screenmesh.kernels.AccelerationProvider;
import io.screenmesh.kernels.Backend;
import io.screenmesh.kernels.GateConfig;
import io.screenmesh.kernels.Nhwc;
import io.screenmesh.kernels.ResidentReferences;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The portable backend and the test oracle: plain loops in the order the documented semantics
 * read, double precision wherever rounding is not part of the contract. Speed is not its job;
 * the native and cuda backends are checked against it.
 *
 * <p>No system properties; always available.
 */
public final class JavaAccelerationProvider implements AccelerationProvider {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Creates the provider; never refuses. */
    public JavaAccelerationProvider() {
    }

    @Override
    public Backend backend() {
        return Backend.JAVA;
    }

    @Override
    public String description() {
        return "java (portable reference)";
    }

    // ---- squeeze -------------------------------------------------------------------------------

    @Override
    public void bitDepthF32(MemorySegment in, MemorySegment out, long count, int bits, float clipMin, float clipMax) {
        float m = (float) ((1 << bits) - 1);
        float range = (float) ((double) clipMax - (double) clipMin);
        for (long i = 0; i < count; i++) {
            float x = in.getAtIndex(F32, i);
            // Java float arithmetic rounds every step to float32, exactly like numpy on float32 arrays.
            float r = (x - clipMin) / range;
            r = (float) Math.rint(r * m) / m;
            out.setAtIndex(F32, i, r * range + clipMin);
        }
    }

    @Override
    public void bitDepthU8(MemorySegment in, MemorySegment out, long count, int bits) {
        int m = (1 << bits) - 1;
        for (long i = 0; i < count; i++) {
            int x = Byte.toUnsignedInt(in.get(ValueLayout.JAVA_BYTE, i));
            int k = (2 * x * m + 255) / 510;
            int y = (2 * k * 255 + m) / (2 * m);
            out.set(ValueLayout.JAVA_BYTE, i, (byte) y);
        }
    }

    @Override
    public void medianF32(MemorySegment in, MemorySegment out, Nhwc s, int window) {
        median(s, window, (idx) -> in.getAtIndex(F32, idx), (idx, v) -> out.setAtIndex(F32, idx, (float) v));
    }

    @Override
    public void medianU8(MemorySegment in, MemorySegment out, Nhwc s, int window) {
        median(s, window, (idx) -> Byte.toUnsignedInt(in.get(ValueLayout.JAVA_BYTE, idx)),
                (idx, v) -> out.set(ValueLayout.JAVA_BYTE, idx, (byte) (int) v));
    }

    private interface Reader {
        double get(long index);
    }

    private interface Writer {
        void set(long index, double value);
    }

    private static void median(Nhwc s, int w, Reader in, Writer out) {
        double[] values = new double[w * w];
        int first = -(w / 2); // scipy's origin 0: the window starts w/2 before the centre
        for (int n = 0; n < s.n(); n++) {
            for (int y = 0; y < s.height(); y++) {
                for (int x = 0; x < s.width(); x++) {
                    for (int c = 0; c < s.channels(); c++) {
                        int v = 0;
                        for (int dy = 0; dy < w; dy++) {
                            int yy = reflect(y + first + dy, s.height());
                            for (int dx = 0; dx < w; dx++) {
                                int xx = reflect(x + first + dx, s.width());
                                values[v++] = in.get(index(s, n, yy, xx, c));
                            }
                        }
                        Arrays.sort(values);
                        out.set(index(s, n, y, x, c), values[w * w / 2]);
                    }
                }
            }
        }
    }

    /** scipy's "reflect" boundary (d c b a | a b c d | d c b a), for offsets of at most one length. */
    static int reflect(int i, int n) {
        if (i < 0) {
            i = -i - 1;
        }
        if (i >= n) {
            i = 2 * n - i - 1;
        }
        return Math.max(0, Math.min(n - 1, i));
    }

    private static long index(Nhwc s, int n, int y, int x, int c) {
        return (((long) n * s.height() + y) * s.width() + x) * s.channels() + c;
    }

    // ---- spectral ------------------------------------------------------------------------------

    /** A clip's STFT: {@code re[f][k]}, {@code im[f][k]} for k in 0..nFft/2. */
    private record Stft(double[][] re, double[][] im) {
    }

    private static double[] hann(int nFft) {
        double[] w = new double[nFft];
        for (int n = 0; n < nFft; n++) {
            w[n] = 0.5 - 0.5 * Math.cos(2 * Math.PI * n / nFft);
        }
        return w;
    }

    private static Stft stft(MemorySegment in, long offset, int length, int nFft, int hop) {
        int frames = GateConfig.frameCount(length, hop);
        int bins = nFft / 2 + 1;
        int pad = nFft / 2;
        double[] w = hann(nFft);
        double[][] re = new double[frames][bins];
        double[][] im = new double[frames][bins];
        double[] fr = new double[nFft];
        double[] fi = new double[nFft];
        for (int f = 0; f < frames; f++) {
            for (int n = 0; n < nFft; n++) {
                long t = (long) f * hop + n - pad;
                fr[n] = t >= 0 && t < length ? in.getAtIndex(F32, offset + t) * w[n] : 0.0;
                fi[n] = 0.0;
            }
            JavaFft.transform(fr, fi, -1);
            System.arraycopy(fr, 0, re[f], 0, bins);
            System.arraycopy(fi, 0, im[f], 0, bins);
        }
        return new Stft(re, im);
    }

    private static void istft(Stft spec, MemorySegment out, long offset, int length, int nFft, int hop) {
        int frames = spec.re().length;
        int bins = nFft / 2 + 1;
        int pad = nFft / 2;
        double[] w = hann(nFft);
        int padded = (frames - 1) * hop + nFft;
        double[] sum = new double[padded];
        double[] weight = new double[padded];
        double[] fr = new double[nFft];
        double[] fi = new double[nFft];
        for (int f = 0; f < frames; f++) {
            // Rebuild the Hermitian spectrum of a real frame, then invert.
            for (int k = 0; k < bins; k++) {
                fr[k] = spec.re()[f][k];
                fi[k] = spec.im()[f][k];
            }
            fi[0] = 0;
            fi[nFft / 2] = 0;
            for (int k = bins; k < nFft; k++) {
                fr[k] = fr[nFft - k];
                fi[k] = -fi[nFft - k];
            }
            JavaFft.transform(fr, fi, +1);
            for (int n = 0; n < nFft; n++) {
                sum[f * hop + n] += fr[n] / nFft * w[n];
                weight[f * hop + n] += w[n] * w[n];
            }
        }
        for (int t = 0; t < length; t++) {
            double wt = weight[t + pad];
            out.setAtIndex(F32, offset + t, (float) (wt > 1e-10 ? sum[t + pad] / wt : 0.0));
        }
    }

    @Override
    public void spectralGate(MemorySegment in, MemorySegment out, int clips, int length, GateConfig cfg) {
        int nFft = cfg.nFft();
        for (int c = 0; c < clips; c++) {
            long offset = (long) c * length;
            Stft spec = stft(in, offset, length, nFft, cfg.hop());
            int frames = spec.re().length;
            int bins = nFft / 2 + 1;
            double[][] mask = new double[bins][frames];
            for (int k = 0; k < bins; k++) {
                double[] db = new double[frames];
                double max = Double.NEGATIVE_INFINITY;
                for (int f = 0; f < frames; f++) {
                    double mag = Math.hypot(spec.re()[f][k], spec.im()[f][k]);
                    db[f] = 20 * Math.log10(mag + 1e-10);
                    max = Math.max(max, db[f]);
                }
                double mean = 0;
                for (int f = 0; f < frames; f++) {
                    db[f] = Math.max(db[f], max - cfg.topDb());
                    mean += db[f];
                }
                mean /= frames;
                double var = 0;
                for (int f = 0; f < frames; f++) {
                    var += (db[f] - mean) * (db[f] - mean);
                }
                double threshold = mean + cfg.nStd() * Math.sqrt(var / frames);
                for (int f = 0; f < frames; f++) {
                    mask[k][f] = gateMask(db[f] - threshold, cfg.softnessDb(), cfg.propDecrease());
                }
            }
            double[][] smooth = smoothTime(smoothFreq(mask, cfg.freqSmoothBins()), cfg.timeSmoothFrames());
            for (int f = 0; f < frames; f++) {
                for (int k = 0; k < bins; k++) {
                    spec.re()[f][k] *= smooth[k][f];
                    spec.im()[f][k] *= smooth[k][f];
                }
            }
            istft(spec, out, offset, length, nFft, cfg.hop());
        }
    }

    /** The soft gate: {@code (1−p) + p·σ(d/s)}, a hard step {@code d > 0} when s is 0. */
    static double gateMask(double aboveThresholdDb, double softnessDb, double propDecrease) {
        double open = softnessDb > 0
                ? 1.0 / (1.0 + Math.exp(-aboveThresholdDb / softnessDb))
                : (aboveThresholdDb > 0 ? 1.0 : 0.0);
        return (1.0 - propDecrease) + propDecrease * open;
    }

    private static double triangle(int offset, int half) {
        return 1.0 - Math.abs(offset) / (half + 1.0);
    }

    private static double[][] smoothFreq(double[][] m, int half) {
        int bins = m.length;
        int frames = m[0].length;
        double[][] r = new double[bins][frames];
        for (int k = 0; k < bins; k++) {
            for (int f = 0; f < frames; f++) {
                double s = 0;
                double wsum = 0;
                for (int i = -half; i <= half; i++) {
                    if (k + i >= 0 && k + i < bins) {
                        s += triangle(i, half) * m[k + i][f];
                        wsum += triangle(i, half);
                    }
                }
                r[k][f] = s / wsum;
            }
        }
        return r;
    }

    private static double[][] smoothTime(double[][] m, int half) {
        int bins = m.length;
        int frames = m[0].length;
        double[][] r = new double[bins][frames];
        for (int k = 0; k < bins; k++) {
            for (int f = 0; f < frames; f++) {
                double s = 0;
                double wsum = 0;
                for (int j = -half; j <= half; j++) {
                    if (f + j >= 0 && f + j < frames) {
                        s += triangle(j, half) * m[k][f + j];
                        wsum += triangle(j, half);
                    }
                }
                r[k][f] = s / wsum;
            }
        }
        return r;
    }

    @Override
    public void meanPowerSpectrum(MemorySegment in, MemorySegment out, int clips, int length, int nFft, int hop) {
        int bins = nFft / 2 + 1;
        for (int c = 0; c < clips; c++) {
            Stft spec = stft(in, (long) c * length, length, nFft, hop);
            int frames = spec.re().length;
            for (int k = 0; k < bins; k++) {
                double p = 0;
                for (int f = 0; f < frames; f++) {
                    p += spec.re()[f][k] * spec.re()[f][k] + spec.im()[f][k] * spec.im()[f][k];
                }
                out.setAtIndex(F32, (long) c * bins + k, (float) (p / frames));
            }
        }
    }

    @Override
    public void firFilter(MemorySegment in, MemorySegment out, int clips, int length, float[] taps) {
        int m = (taps.length - 1) / 2;
        for (int c = 0; c < clips; c++) {
            long offset = (long) c * length;
            for (int t = 0; t < length; t++) {
                double acc = 0;
                for (int j = 0; j < taps.length; j++) {
                    long src = (long) t + m - j;
                    if (src >= 0 && src < length) {
                        acc += (double) taps[j] * in.getAtIndex(F32, offset + src);
                    }
                }
                out.setAtIndex(F32, offset + t, (float) acc);
            }
        }
    }

    // ---- similarity ----------------------------------------------------------------------------

    @Override
    public void normalize(MemorySegment in, MemorySegment out, int rows, int dim) {
        float[] row = new float[dim];
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(in, F32, (long) r * dim * Float.BYTES, row, 0, dim);
            normalizeRow(row);
            MemorySegment.copy(row, 0, out, F32, (long) r * dim * Float.BYTES, dim);
        }
    }

    private static void normalizeRow(float[] row) {
        double sq = 0;
        for (float v : row) {
            sq += (double) v * v;
        }
        double norm = Math.sqrt(sq);
        for (int d = 0; d < row.length; d++) {
            row[d] = norm > 0 ? (float) (row[d] / norm) : 0f;
        }
    }

    private static final class JavaReferences implements ResidentReferences {
        private final JavaAccelerationProvider owner;
        private final int count;
        private final int dim;
        private volatile float[] rows;

        JavaReferences(JavaAccelerationProvider owner, float[] rows, int count, int dim) {
            this.owner = owner;
            this.rows = rows;
            this.count = count;
            this.dim = dim;
        }

        @Override
        public AccelerationProvider owner() {
            return owner;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public int dimension() {
            return dim;
        }

        float[] rows() {
            float[] r = rows;
            if (r == null) {
                throw new IllegalStateException("reference set is closed");
            }
            return r;
        }

        @Override
        public void close() {
            rows = null;
        }
    }

    @Override
    public ResidentReferences upload(MemorySegment references, int count, int dim) {
        float[] rows = new float[Math.multiplyExact(count, dim)];
        MemorySegment.copy(references, F32, 0, rows, 0, rows.length);
        float[] row = new float[dim];
        for (int r = 0; r < count; r++) {
            System.arraycopy(rows, r * dim, row, 0, dim);
            normalizeRow(row);
            System.arraycopy(row, 0, rows, r * dim, dim);
        }
        return new JavaReferences(this, rows, count, dim);
    }

    private static JavaReferences own(ResidentReferences refs, JavaAccelerationProvider self) {
        if (!(refs instanceof JavaReferences j) || j.owner != self) {
            throw new IllegalArgumentException("reference set belongs to another provider: " + refs.owner().description());
        }
        return j;
    }

    /** Cosine of one normalized query against every reference, accumulated in double. */
    private static void scores(float[] rows, int count, int dim, float[] query, float[] out) {
        for (int j = 0; j < count; j++) {
            double dot = 0;
            int base = j * dim;
            for (int d = 0; d < dim; d++) {
                dot += (double) query[d] * rows[base + d];
            }
            out[j] = (float) dot;
        }
    }

    private static float[] query(MemorySegment queries, int q, int dim) {
        float[] query = new float[dim];
        MemorySegment.copy(queries, F32, (long) q * dim * Float.BYTES, query, 0, dim);
        normalizeRow(query);
        return query;
    }

    @Override
    public void cosine(ResidentReferences references, MemorySegment queries, int queryCount, MemorySegment out) {
        JavaReferences refs = own(references, this);
        float[] rows = refs.rows();
        float[] s = new float[refs.count()];
        for (int q = 0; q < queryCount; q++) {
            scores(rows, refs.count(), refs.dimension(), query(queries, q, refs.dimension()), s);
            MemorySegment.copy(s, 0, out, F32, (long) q * refs.count() * Float.BYTES, s.length);
        }
    }

    @Override
    public void topK(ResidentReferences references, MemorySegment queries, int queryCount, int k,
                     int[] indices, float[] topScores) {
        JavaReferences refs = own(references, this);
        float[] rows = refs.rows();
        float[] s = new float[refs.count()];
        for (int q = 0; q < queryCount; q++) {
            scores(rows, refs.count(), refs.dimension(), query(queries, q, refs.dimension()), s);
            // Insertion into a sorted list of k; scanning j upwards and inserting only when strictly
            // better than the current k-th keeps the lower index first among equal scores.
            int[] bestIdx = new int[k];
            float[] best = new float[k];
            int filled = 0;
            for (int j = 0; j < s.length; j++) {
                if (filled == k && !(s[j] > best[k - 1])) {
                    continue;
                }
                int pos = filled == k ? k - 1 : filled++;
                while (pos > 0 && s[j] > best[pos - 1]) {
                    best[pos] = best[pos - 1];
                    bestIdx[pos] = bestIdx[pos - 1];
                    pos--;
                }
                best[pos] = s[j];
                bestIdx[pos] = j;
            }
            System.arraycopy(bestIdx, 0, indices, q * k, k);
            System.arraycopy(best, 0, topScores, q * k, k);
        }
    }
}
