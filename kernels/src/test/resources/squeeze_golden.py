"""Golden outputs for the squeeze tests, computed the way IBM ART computes them.

FeatureSqueezing (art/defences/preprocessor/feature_squeezing.py), every step on float32 arrays
(the clip bounds are float32 scalars, as numpy's value-based casting makes them):
    xn = (x - lo) / (hi - lo); res = rint(xn * m) / m; res = res * (hi - lo) + lo
On uint8 input ART computes in float64 with clip (0, 255); the result is rounded back to uint8.
SpatialSmoothing: scipy.ndimage.median_filter(x, size=(1, w, w, 1), mode="reflect").

Usage: python3 squeeze_golden.py MANIFEST
Each manifest line: op dtype n h w c param lo hi infile outfile (raw little-endian arrays).
"""
import sys

import numpy as np
from scipy.ndimage import median_filter


def bit_depth_f32(x, bits, lo, hi):
    lo32 = np.float32(lo)
    rng = np.float32(hi - lo)
    m = np.float32(np.rint(2 ** bits - 1))
    xn = x - lo32
    xn = xn / rng
    res = np.rint(xn * m) / m
    res = res * rng
    res = res + lo32
    assert res.dtype == np.float32
    return res


def bit_depth_u8(x, bits):
    xn = (x - 0) / (255.0 - 0.0)
    m = np.rint(2 ** bits - 1)
    res = np.rint(xn * m) / m
    res = res * (255.0 - 0.0) + 0.0
    return np.rint(res).astype(np.uint8)


def main(manifest):
    with open(manifest) as f:
        for line in f:
            op, dtype, n, h, w, c, param, lo, hi, src, dst = line.split()
            shape = (int(n), int(h), int(w), int(c))
            x = np.fromfile(src, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)
            if op == "bitdepth":
                y = bit_depth_f32(x, int(param), float(lo), float(hi)) if dtype == "float32" else bit_depth_u8(x, int(param))
            else:
                k = int(param)
                y = median_filter(x, size=(1, k, k, 1), mode="reflect")
            assert y.dtype == x.dtype and y.shape == x.shape
            y.astype(y.dtype.newbyteorder("<")).tofile(dst)


if __name__ == "__main__":
    main(sys.argv[1])
