#!/usr/bin/env python3
"""Synthesizes the speech data set that audio-screening is built and evaluated on.

Reads labeled prompts from the shared reference data (never copied into the repository) and
speaks them with espeak-ng in several voices and speeds, adds white noise at 20 and 10 dB SNR
or passes them through a telephone band (sox: 300-3400 Hz, 8 kHz), and writes AM-ultrasonic
versions of short commands (a 30-40 kHz carrier at 96 kHz, as in DolphinAttack) and a few
synthetic music clips. Every choice is a sha256 of a fixed string, so a rerun writes the same
set. The split ("tune" or "held") is drawn per text: nothing is ever tuned on "held".

Output (default target/speech-data, outside version control): clips/*.wav and manifest.jsonl,
one line per clip: id, path (relative), kind (speech, am, music), label (1 attack, 0 benign),
split, voice, speed, channel (clean, snr20, snr10, phone), text, source, category.

Needs: python3-numpy, espeak-ng, sox. Usage:
  scripts/speech-data.py [--data ../shared/data] [--out target/speech-data]
      [--attacks 50] [--benign 50] [--am 20]
"""

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import wave

import numpy as np

VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-us+f3"]
SPEEDS = [140, 175]
CHANNELS = ["clean", "snr20", "snr10", "phone"]
ATTACK_SOURCES = {"tasktracker_direct", "giskard_promptinject", "asb_dpi"}
BENIGN_SOURCES = {"banking77", "clinc_oos", "notinject", "gsm8k", "bfcl_query"}
MAX_CHARS = 220
HELD_SHARE = 0.6
AM_RATE = 96_000


def h(*parts):
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest(), 16)


def pick(seq, *key):
    return seq[h(*key) % len(seq)]


def espeak(text, voice, speed):
    # The text goes in on stdin: a text that starts with "-" would be read as an option.
    out = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout"],
                         input=text.encode(), check=True, capture_output=True).stdout
    # espeak-ng writes unknown sizes to a pipe: read the samples after the data header.
    i = out.index(b"data") + 8
    rate = int.from_bytes(out[24:28], "little")
    pcm = np.frombuffer(out[i:i + (len(out) - i) // 2 * 2], dtype="<i2").astype(np.float64) / 32768
    return pcm, rate


def write_wav(path, samples, rate):
    s = np.clip(samples, -1, 1)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.round(s * 32767)).astype("<i2").tobytes())


def sox(samples, rate, *effects, out_rate=None):
    """Runs samples through sox effects, returning (samples, rate)."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.round(np.clip(samples, -1, 1) * 32767)).astype("<i2").tobytes())
    args = ["sox", "-t", "wav", "-", "-t", "wav", "-b", "16"]
    if out_rate:
        args += ["-r", str(out_rate)]
    args += ["-"] + list(effects)
    out = subprocess.run(args, input=buf.getvalue(), check=True, capture_output=True).stdout
    with wave.open(io.BytesIO(out)) as w:
        r = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768
    return pcm, r


def add_noise(samples, snr_db, seed):
    rng = np.random.default_rng(seed % (2 ** 32))
    # SNR against the speech's power where it speaks (frames above -40 dB of the peak).
    voiced = samples[np.abs(samples) > 0.01 * np.max(np.abs(samples))]
    p = np.mean(voiced ** 2) if voiced.size else np.mean(samples ** 2)
    noise = rng.normal(0, np.sqrt(p / 10 ** (snr_db / 10)), samples.shape)
    return samples + noise


def load_texts(data):
    rows = [json.loads(l) for l in open(os.path.join(data, "text", "train.jsonl"), encoding="utf-8")]
    attacks = [r for r in rows if r["label"] == 1 and r["source"] in ATTACK_SOURCES and 30 <= len(r["text"]) <= MAX_CHARS]
    benign = [r for r in rows if r["label"] == 0 and r["source"] in BENIGN_SOURCES and 30 <= len(r["text"]) <= MAX_CHARS]
    attacks.sort(key=lambda r: h("speech-v1", r["id"]))
    benign.sort(key=lambda r: h("speech-v1", r["id"]))
    return attacks, benign


def spoken_clip(r, out_dir):
    voice = pick(VOICES, "voice", r["id"])
    speed = pick(SPEEDS, "speed", r["id"])
    channel = pick(CHANNELS, "channel", r["id"])
    pcm, rate = espeak(r["text"], voice, speed)
    if channel.startswith("snr"):
        pcm = add_noise(pcm, int(channel[3:]), h("noise", r["id"]))
        pcm = pcm / max(1.0, np.max(np.abs(pcm)) / 0.99)
    elif channel == "phone":
        pcm, rate = sox(pcm, rate, "sinc", "300-3400", "rate", "8000", out_rate=None)
    cid = "s-" + hashlib.sha256(r["id"].encode()).hexdigest()[:12]
    path = os.path.join("clips", cid + ".wav")
    write_wav(os.path.join(out_dir, path), pcm, rate)
    return {"id": cid, "path": path, "kind": "speech", "label": r["label"], "voice": voice, "speed": speed,
            "channel": channel, "rate": rate, "seconds": round(len(pcm) / rate, 3), "text": r["text"],
            "source": r["source"], "category": r["category"]}


def am_clip(r, out_dir):
    """A command on an ultrasonic carrier: (1 + m·x(t)) cos(2π fc t), x the speech at 96 kHz."""
    pcm, rate = espeak(r["text"], "en-us", 160)
    pcm, rate = sox(pcm, rate, "rate", str(AM_RATE))
    fc = [30_000, 35_000, 40_000][h("carrier", r["id"]) % 3]
    t = np.arange(len(pcm)) / rate
    x = pcm / max(1e-9, np.max(np.abs(pcm)))
    y = 0.45 * (1 + 0.8 * x) * np.cos(2 * np.pi * fc * t)
    cid = "am-" + hashlib.sha256(r["id"].encode()).hexdigest()[:12]
    path = os.path.join("clips", cid + ".wav")
    write_wav(os.path.join(out_dir, path), y, rate)
    return {"id": cid, "path": path, "kind": "am", "label": 1, "voice": "en-us", "speed": 160,
            "channel": "am%dk" % (fc // 1000), "rate": rate, "seconds": round(len(y) / rate, 3), "text": r["text"],
            "source": r["source"], "category": r["category"]}


def music_clip(i, out_dir):
    notes = [["C3", "E3", "G3", "C4"], ["A2", "C3", "E3", "A3"], ["F2", "A2", "C3", "F3"],
             ["G2", "B2", "D3", "G3"], ["D3", "F#3", "A3", "D4"]][i % 5]
    cid = "m-%d" % i
    path = os.path.join("clips", cid + ".wav")
    rate = [44_100, 48_000][i % 2]
    args = ["sox", "-n", "-r", str(rate), "-b", "16", os.path.join(out_dir, path), "synth", "4"]
    for n in notes:
        args += ["pluck", n]
    args += ["tremolo", "3", "40", "reverb", "30", "gain", "-n", "-6", "remix", "-"]
    subprocess.run(args, check=True, capture_output=True)
    return {"id": cid, "path": path, "kind": "music", "label": 0, "voice": "", "speed": 0, "channel": "music",
            "rate": rate, "seconds": 4.0, "text": "", "source": "sox-synth", "category": "music"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(root, "target", "speech-data"))
    ap.add_argument("--attacks", type=int, default=50)
    ap.add_argument("--benign", type=int, default=50)
    ap.add_argument("--am", type=int, default=20)
    ap.add_argument("--music", type=int, default=5)
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "clips"), exist_ok=True)
    attacks, benign = load_texts(a.data)
    rows = []
    for r in attacks[:a.attacks] + benign[:a.benign]:
        rows.append(spoken_clip(r, a.out))
    # Short commands for the carriers, from attacks not spoken above.
    short = [r for r in attacks[a.attacks:] if len(r["text"]) <= 160][:a.am]
    for r in short:
        rows.append(am_clip(r, a.out))
    for i in range(a.music):
        rows.append(music_clip(i, a.out))
    for row in rows:
        row["split"] = "held" if (h("split-v1", row["id"]) % 1000) < HELD_SHARE * 1000 else "tune"
    with open(os.path.join(a.out, "manifest.jsonl"), "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    by = {}
    for row in rows:
        by[(row["kind"], row["split"])] = by.get((row["kind"], row["split"]), 0) + 1
    print("wrote %d clips to %s: %s" % (len(rows), a.out, ", ".join("%s/%s %d" % (k[0], k[1], v) for k, v in sorted(by.items()))))


if __name__ == "__main__":
    sys.exit(main())
