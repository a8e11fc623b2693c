#!/usr/bin/env bash
# The front door's own cost: text-screening called directly and through the front door, side by
# side in one run, interleaved round by round, 1 and 8 closed-loop callers, 60-character prompts.
# Prints one row per round and concurrency with what the front door added at p50 and p99, and
# its fan-out stage (its own timing of its calls to text-screening, from each answer's
# ProcessingInfo): latency less fan-out is the front door's own part, fan-out less the direct
# call's latency is what its outbound call cost beyond the load generator's.
#
# Usage: bench/frontdoor.sh [ROUNDS] [OUTDIR]      (after ./screenmesh up; reads its mesh.env)
#   WARMUP, DURATION (seconds, default 5 and 10), MESH (default .screenmesh/run/mesh.env)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
OUT=${2:-/tmp/frontdoor-bench}
MESH=${MESH:-.screenmesh/run/mesh.env}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-10}
[[ -f $MESH ]] || { echo "no $MESH: start the mesh first (./screenmesh up)" >&2; exit 2; }
mkdir -p "$OUT"
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
loadgen() {
  "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -cp 'bench/target/screenmesh-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*' io.screenmesh.bench.load.LoadGen "$@"
}
for round in $(seq 1 "$ROUNDS"); do
  for c in 1 8; do
    for t in text front; do
      f="$OUT/r$round-c$c-$t.json"
      load=$(cut -d' ' -f1 /proc/loadavg)
      loadgen --mesh "$MESH" --target "$t" --mode closed --concurrency "$c" --prompt-chars 60 \
        --warmup "$WARMUP" --duration "$DURATION" --json > "$f" 2> "$OUT/r$round-c$c-$t.log"
      echo "$load" > "$f.load"
    done
  done
done
/usr/bin/python3 - "$OUT" "$ROUNDS" <<'EOF'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def run(r, c, t):
    d = json.load(open(f"{out}/r{r}-c{c}-{t}.json"))["runs"][0]
    return d, open(f"{out}/r{r}-c{c}-{t}.json.load").read().strip()
print("| round | callers | text p50 | front p50 | added p50 | fan-out p50 | text p99 | front p99 | added p99 | fan-out p99 | errors | decisions (front) | load avg |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
for r in range(1, rounds + 1):
    for c in (1, 8):
        (a, la), (b, lb) = run(r, c, "text"), run(r, c, "front")
        x, y = a["latency_ms"], b["latency_ms"]
        f = b.get("fanout_ms", {"p50": float("nan"), "p99": float("nan")})
        print(f"| {r} | {c} | {x['p50']:.3f} | {y['p50']:.3f} | **{y['p50'] - x['p50']:.2f}** | {f['p50']:.3f} | "
              f"{x['p99']:.3f} | {y['p99']:.3f} | **{y['p99'] - x['p99']:.2f}** | {f['p99']:.3f} | {a['errors'] + b['errors']} | "
              f"{b.get('decisions', {})} | {la}–{lb} |")
EOF
