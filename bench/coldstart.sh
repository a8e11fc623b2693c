#!/usr/bin/env bash
# Bulk screening right after start-up: a fresh mesh (./screenmesh up), then at once a 301-image
# manifest through the CLI's batch stream with its defaults; then the same manifest again on the
# now warm mesh. Counts every answer by decision, and the items blocked or failed because a part
# could not be screened (SCREENING_UNAVAILABLE, DEADLINE_EXCEEDED, UNAVAILABLE) — a stream must
# slow its caller down, not time items out, while the services warm up.
#
# Usage: bench/coldstart.sh [OUTDIR] [COUNT]   (images from scripts/make-image-data.py, made once)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/coldstart}
COUNT=${2:-301}
IMAGES=${IMAGES:-target/image-data}
mkdir -p "$OUT"
if [[ ! -f $IMAGES/manifest.jsonl ]]; then
  /usr/bin/python3 scripts/make-image-data.py --out "$IMAGES" --per-split 120 --photos-per-split 40 > "$OUT/make-images.log"
fi
# Every kind (text in images, photos with captions, bare photos), attack and benign, as the data has them.
/usr/bin/python3 - "$IMAGES" "$COUNT" > "$OUT/manifest.jsonl" <<'EOF'
import json, os, sys
root, count = os.path.abspath(sys.argv[1]), int(sys.argv[2])
rows = [json.loads(l) for l in open(os.path.join(root, "manifest.jsonl"))]
rows = [r for r in rows if r["kind"] != "ocr"][:count]
if len(rows) < count:
    sys.exit(f"only {len(rows)} images in {root}; make more with scripts/make-image-data.py --per-split N")
for i, r in enumerate(rows):
    print(json.dumps({"id": f"img-{i:04d}-{r['kind']}", "image": os.path.join(root, r["file"])}))
EOF
summary() { # results file
  /usr/bin/python3 - "$1" <<'EOF'
import collections, json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = collections.Counter(r.get("decision") or ("error " + r["error"]["status"] + " " + r["error"]["reason"]) for r in rows)
unscreened = sum(1 for r in rows if "SCREENING_UNAVAILABLE" in r.get("categories", [])
                 or r.get("error", {}).get("status") in ("DEADLINE_EXCEEDED", "UNAVAILABLE"))
print(f"  {len(rows)} answers: {dict(sorted(by.items()))}; not screened: {unscreened}")
EOF
}
./screenmesh down > /dev/null 2>&1 || true
rm -f "$OUT/cold.jsonl" "$OUT/warm.jsonl"
start=$(date +%s.%N)
./screenmesh up > "$OUT/up.log" 2>&1
ready=$(date +%s.%N)
./screenmesh batch --in "$OUT/manifest.jsonl" --out "$OUT/cold.jsonl" > "$OUT/cold.log" 2>&1 || echo "cold batch exited $?"
cold=$(date +%s.%N)
./screenmesh batch --in "$OUT/manifest.jsonl" --out "$OUT/warm.jsonl" > "$OUT/warm.log" 2>&1 || echo "warm batch exited $?"
warm=$(date +%s.%N)
./screenmesh down > /dev/null 2>&1
printf 'up: %.1f s (build included when needed)\n' "$(echo "$ready - $start" | bc)"
printf 'batch right after up: %.1f s\n' "$(echo "$cold - $ready" | bc)"; summary "$OUT/cold.jsonl"
printf 'batch on the warm mesh: %.1f s\n' "$(echo "$warm - $cold" | bc)"; summary "$OUT/warm.jsonl"
