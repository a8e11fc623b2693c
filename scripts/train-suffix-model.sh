#!/usr/bin/env bash
# Trains the character n-gram model of text-screening's adversarial-suffix detector on the benign
# rows of the shared training data, keeping every tenth benign row out to fix the threshold, and
# writes it where the service loads it from. The evaluation data (reference.jsonl) is never read.
#
# Usage: scripts/train-suffix-model.sh [train.jsonl]   (default ../shared/data/text/train.jsonl)
# Needs python3 (to read the JSONL) and the compiled service (./mvnw -pl services/text-screening -am package).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${1:-$ROOT/../shared/data/text/train.jsonl}"
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
OUT="$ROOT/services/text-screening/src/main/resources/io/screenmesh/text/suffix/char5-benign.model.gz"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

python3 - "$DATA" "$TMP" <<'PY'
import json, re, sys
src, tmp = sys.argv[1], sys.argv[2]
n = 0
with open(src) as f, open(tmp + "/benign.txt", "w") as tr, open(tmp + "/heldout.txt", "w") as ho:
    for line in f:
        row = json.loads(line)
        if row["label"] != 0:
            continue
        text = re.sub(r"[\r\n\u2028\u2029\x85\x0b\x0c]", " ", row["text"])  # one text a line
        (ho if n % 10 == 0 else tr).write(text + "\n")
        n += 1
PY
"$JAVA" -cp "$ROOT/services/text-screening/target/classes" io.screenmesh.text.suffix.SuffixModelTrainer \
  --benign "$TMP/benign.txt" --heldout "$TMP/heldout.txt" --out "$OUT"
