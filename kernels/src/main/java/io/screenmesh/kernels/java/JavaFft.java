package io.screenmesh.kernels.java;

/**
 * An iterative radix-2 complex FFT in double precision: the textbook Cooley–Tukey algorithm,
 * kept plain because it is the reference the other backends are checked against.
 */
final class JavaFft {
    private JavaFft() {
    }

    /**
     * Transforms {@code re + i·im} in place: {@code X[k] = Σ x[n]·e^(sign·2πi·kn/N)}, unnormalized.
     *
     * @param sign −1 for the forward transform, +1 for the inverse
     */
    static void transform(double[] re, double[] im, int sign) {
        int n = re.length;
        // Bit-reversal permutation.
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            int half = len / 2;
            for (int k = 0; k < half; k++) {
                double angle = sign * 2 * Math.PI * k / len;
                double wr = Math.cos(angle);
                double wi = Math.sin(angle);
                for (int start = 0; start < n; start += len) {
                    int a = start + k;
                    int b = a + half;
                    double xr = re[b] * wr - im[b] * wi;
                    double xi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                }
            }
        }
    }
}
