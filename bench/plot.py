"""Plots a bench/run.sh JSON report: one PNG per hot path, each backend beside its peers.

Usage: /usr/bin/python3 bench/plot.py RESULTS.json OUT_DIR
Needs Debian's python3-matplotlib. Writes OUT_DIR/{squeeze,spectral,similarity}.png; a hot path
without figures in the report gets no file. Horizontal bars on a log scale, one row per
operation and backend or peer, with each backend's ratio to the operation's first peer.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

GROUPS = {
    "squeeze": ("bitdepth", "median"),
    "spectral": ("stft", "lowpass"),
    "similarity": ("cosine",),
}
COLORS = {"native": "#1f77b4", "cuda": "#2ca02c", "java": "#ff7f0e", "peer": "#9a9a9a"}


def goal_of(mine):
    """The throughput an operation must reach, in its own unit, or None: target x first peer, or the
    bit-depth fraction of the run's copy bandwidth (value / bandwidth_gbps converts GB/s to img/s)."""
    for r in mine:
        if r.get("membw_fraction") is not None and r.get("bandwidth_gbps"):
            return r["target"] * r["membw_gbps"] * r["value"] / r["bandwidth_gbps"]
    for r in mine:
        if r.get("target") and r.get("peer_value"):
            return r["target"] * r["peer_value"]
    return None


def rows_for(results, prefixes):
    """(label, value, colour, annotation, unit) per bar, in report order, one per backend and per
    distinct peer; and each operation's goal with the rows it spans."""
    rows, ops, goals = [], [], []
    for r in results:
        if r["op"].startswith(prefixes) and r["op"] not in ops:
            ops.append(r["op"])
    for op in ops:
        mine = [r for r in results if r["op"] == op]
        first_row = len(rows)
        first_peer = next((r["peer"] for r in mine if r["peer"]), None)
        seen_backends, seen_peers = set(), []
        for r in mine:
            if r["value"] is not None and r["backend"] not in seen_backends:
                seen_backends.add(r["backend"])
                ref = next((x for x in mine if x["backend"] == r["backend"] and x["peer"] == first_peer), r)
                note = f"{ref['ratio']:.2f}x first peer" if ref.get("ratio") else ""
                if r.get("membw_fraction") is not None:
                    note += f", {100 * r['membw_fraction']:.0f}% of membw"
                rows.append((f"{op} · {r['backend']}", r["value"], COLORS.get(r["backend"], "#444444"), note, r["unit"]))
            elif r["value"] is None and r["backend"] not in seen_backends:
                seen_backends.add(r["backend"])
                rows.append((f"{op} · {r['backend']}", None, COLORS.get(r["backend"], "#444444"), r["status"], r["unit"]))
        for r in mine:
            if r["peer"] and r["peer_value"] is not None and r["peer"] not in seen_peers:
                seen_peers.append(r["peer"])
                rows.append((f"{op} · peer: {r['peer']}", r["peer_value"], COLORS["peer"], "", r["unit"]))
        goal = goal_of(mine)
        if goal:
            goals.append((goal, first_row, len(rows) - 1))
    return rows, goals


def plot(results, group, prefixes, out_dir):
    rows, goals = rows_for(results, prefixes)
    if not any(v for _, v, _, _, _ in rows):
        return None
    height = 0.32 * len(rows) + 1.2
    fig, ax = plt.subplots(figsize=(9.5, height), dpi=90)
    ys = list(range(len(rows)))[::-1]
    values = [v or 0 for _, v, _, _, _ in rows]
    positive = [v for v in values if v > 0]
    ax.barh(ys, [v if v > 0 else min(positive) / 10 for v in values], color=[c for _, _, c, _, _ in rows],
            height=0.7)
    ax.set_xscale("log")
    ax.set_yticks(ys)
    ax.set_yticklabels([label for label, _, _, _, _ in rows], fontsize=8)
    for y, (_, v, _, note, unit) in zip(ys, rows):
        text = (f"{v:,.0f} {unit}" if v and v >= 100 else f"{v:.2f} {unit}" if v else "") + (f"  ({note})" if note else "")
        ax.text(max(v or 0, min(positive)), y, " " + text, va="center", fontsize=7)
    for goal, first, last in goals:
        top, bottom = ys[first] + 0.45, ys[last] - 0.45
        ax.vlines(goal, bottom, top, colors="red", linestyles="dashed", linewidth=1)
        ax.text(goal, top, "goal", color="red", fontsize=7, ha="center", va="bottom")
        positive.append(goal)
    ax.set_xlim(min(positive) / 2, max(positive) * 300)
    ax.set_xlabel("throughput (log scale; units per row)")
    ax.set_title(f"{group}: backends vs peers measured in the same run", fontsize=10)
    ax.grid(axis="x", which="major", alpha=0.3)
    fig.tight_layout()
    path = os.path.join(out_dir, f"{group}.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        results = json.load(f)
    os.makedirs(sys.argv[2], exist_ok=True)
    for group, prefixes in GROUPS.items():
        path = plot(results, group, prefixes, sys.argv[2])
        if path:
            print(f"plot: {path} ({os.path.getsize(path) // 1024} KB)")


if __name__ == "__main__":
    main()
