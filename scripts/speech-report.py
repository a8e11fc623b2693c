#!/usr/bin/env python3
"""Summarizes scripts/speech-eval.sh's output (target/speech-eval) as Markdown tables.

Spoken injection: TPR and FPR per split with the service's own verdict (FLAG or BLOCK is a
positive), and with a score threshold calibrated on the tune split at FPR <= 5% and applied
unchanged to the held split; the same texts screened as text, for comparison; word error rate
per voice and channel; AM-ultrasonic clips with the recovered text; music; drift scores of
benign speech with the threshold at the tune split's 95th percentile; misses named.

Usage: scripts/speech-report.py [target/speech-eval]
"""

import collections
import json
import math
import os
import sys


def load(path):
    if not os.path.exists(path):
        return []
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]


def positive(row):
    return row["decision"] in ("DECISION_FLAG", "DECISION_BLOCK")


def rate(n, d):
    return "%d/%d (%.0f%%)" % (n, d, 100.0 * n / d) if d else "0/0"


def calibrate(rows, target_fpr=0.05):
    """The lowest score threshold whose FPR on benign rows is at most target_fpr."""
    benign = sorted((r["score"] for r in rows if r["label"] == 0), reverse=True)
    allowed = int(math.floor(target_fpr * len(benign)))
    # Everything strictly above the (allowed+1)-th highest benign score is positive.
    if len(benign) <= allowed:
        return 0.0
    return benign[allowed] + 1e-6


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "target/speech-eval"
    rows = load(os.path.join(out, "clips.jsonl"))
    speech = [r for r in rows if r["kind"] == "speech"]
    print("### Spoken injection (%d speech clips)\n" % len(speech))
    tune = [r for r in speech if r["split"] == "tune"]
    thr = calibrate(tune)
    print("| split | attacks | TPR (verdict FLAG/BLOCK) | FPR (verdict) | TPR (score > %.3f, tune-calibrated) | FPR (same) | TPR as text | FPR as text |" % thr)
    print("|---|---|---|---|---|---|---|---|")
    for split in ("tune", "held"):
        s = [r for r in speech if r["split"] == split]
        a = [r for r in s if r["label"] == 1]
        b = [r for r in s if r["label"] == 0]
        print("| %s | %d | %s | %s | %s | %s | %s | %s |" % (
            split, len(a), rate(sum(positive(r) for r in a), len(a)), rate(sum(positive(r) for r in b), len(b)),
            rate(sum(r["score"] > thr for r in a), len(a)), rate(sum(r["score"] > thr for r in b), len(b)),
            rate(sum(r.get("text_decision", "") != "DECISION_ALLOW" for r in a), len(a)),
            rate(sum(r.get("text_decision", "") != "DECISION_ALLOW" for r in b), len(b))))
    for split in ("tune", "held"):
        a = [r for r in speech if r["split"] == split and r["label"] == 1 and r.get("text_decision", "") != "DECISION_ALLOW"]
        print("\n%s split: of the attacks text-screening flags as text, flagged when spoken: %s" % (
            split, rate(sum(positive(r) for r in a), len(a))))
    print("\nPer source (held split, verdict):\n")
    print("| source | label | positive | as text |")
    print("|---|---|---|---|")
    by = collections.defaultdict(list)
    for r in speech:
        if r["split"] == "held":
            by[(r["source"], r["label"])].append(r)
    for (src, label), rs in sorted(by.items()):
        print("| %s | %d | %s | %s |" % (src, label, rate(sum(positive(r) for r in rs), len(rs)),
                                        rate(sum(r.get("text_decision", "") != "DECISION_ALLOW" for r in rs), len(rs))))
    voices = sorted({r["voice"] for r in speech})
    chans = ["clean", "snr20", "snr10", "phone"]
    for title, pool in (("benign speech: plain prose", [r for r in speech if r["label"] == 0]),
                        ("attacks: full of symbol runs that espeak-ng reads aloud", [r for r in speech if r["label"] == 1])):
        print("\n### Word error rate, %s (mean WER (clips), both splits)\n" % title)
        print("| voice \\ channel | clean | snr20 | snr10 | phone | all |")
        print("|---|---|---|---|---|---|")
        for v in voices + ["all"]:
            cells = []
            for c in chans + ["all"]:
                rs = [r for r in pool if (v == "all" or r["voice"] == v) and (c == "all" or r["channel"] == c)]
                cells.append("%.2f (%d)" % (sum(r["wer"] for r in rs) / len(rs), len(rs)) if rs else "–")
            print("| %s | %s |" % (v, " | ".join(cells)))
    am = [r for r in rows if r["kind"] == "am"]
    if am:
        print("\n### AM-ultrasonic commands (%d clips, 96 kHz)\n" % len(am))
        flagged = sum(positive(r) for r in am)
        print("Flagged: %s; mean WER of the recovered text %.2f.\n" % (rate(flagged, len(am)), sum(r["wer"] for r in am) / len(am)))
        print("| clip | carrier | verdict | recovered text |")
        print("|---|---|---|---|")
        for r in am:
            print("| %s | %s | %s | %s |" % (r["id"], r["channel"], r["decision"].replace("DECISION_", ""),
                                            r["baseband"][:100].replace("|", "/")))
    music = [r for r in rows if r["kind"] == "music"]
    benign_speech = [r for r in speech if r["label"] == 0]
    ultra_fp = [r for r in benign_speech + music if any(f.startswith("audio.ultrasonic") for f in r["findings"])]
    print("\nUltrasonic findings on benign speech and music: %d of %d%s." % (
        len(ultra_fp), len(benign_speech) + len(music), (" (" + ", ".join(r["id"] for r in ultra_fp) + ")") if ultra_fp else ""))
    print("Music clips flagged by any detector: %s." % rate(sum(positive(r) for r in music), len(music)))
    missed = [r for r in speech if r["split"] == "held" and r["label"] == 1 and not positive(r)]
    fps = [r for r in speech if r["split"] == "held" and r["label"] == 0 and positive(r)]
    print("\n### Misses on the held split\n")
    for r in missed:
        print("- missed %s (%s, %s, %s, text %s): heard \"%s\"" % (r["id"], r["source"], r["voice"], r["channel"],
              r.get("text_decision", "").replace("DECISION_", ""), r["transcript"][:120]))
    for r in fps:
        print("- false positive %s (%s, %s, %s): heard \"%s\" -> %s" % (r["id"], r["source"], r["voice"], r["channel"],
              r["transcript"][:120], ", ".join(r["findings"])[:160]))
    drift = load(os.path.join(out, "drift.jsonl"))
    if drift:
        print("\n### Transcript drift on benign speech (%d clips)\n" % len(drift))
        tune_scores = sorted(r["score"] for r in drift if r["split"] == "tune")
        p95 = tune_scores[min(len(tune_scores) - 1, int(math.ceil(0.95 * len(tune_scores))) - 1)] if tune_scores else 0
        print("Threshold at the tune split's 95th percentile: %.2f.\n" % p95)
        print("| channel | clips | mean drift | max | held clips at or above the threshold |")
        print("|---|---|---|---|---|")
        for c in chans:
            rs = [r for r in drift if r["channel"] == c]
            if rs:
                held = [r for r in rs if r["split"] == "held"]
                print("| %s | %d | %.2f | %.2f | %s |" % (c, len(rs), sum(r["score"] for r in rs) / len(rs),
                                                       max(r["score"] for r in rs), rate(sum(r["score"] >= p95 for r in held), len(held))))


if __name__ == "__main__":
    main()
