#!/usr/bin/env bash
# text-screening with embeddings on, then off: p99 of an open loop at 200 calls/s and the
# throughput of streams, texts of at most 512 characters, plaintext, one service alone.
# Usage: bench/embeddings.sh [OUTDIR]   (after ./mvnw -pl services/text-screening,bench -am package)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/embeddings-bench}
PORT=${PORT:-9178}
WARMUP=${WARMUP:-10}
DURATION=${DURATION:-30}
mkdir -p "$OUT"
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
loadgen() {
  "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -cp 'bench/target/screenmesh-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*' io.screenmesh.bench.load.LoadGen "$@"
}
for emb in true false; do
  QUARKUS_HTTP_PORT=$PORT "$JAVA" --enable-native-access=ALL-UNNAMED -Dquarkus.http.insecure-requests=enabled \
    -Dscreenmesh.text.embeddings.enabled=$emb -jar services/text-screening/target/quarkus-app/quarkus-run.jar \
    > "$OUT/service-$emb.log" 2>&1 &
  pid=$!
  # Bounded wait for the warm-up to finish (health SERVING is logged as "warm and ready").
  for _ in $(seq 1 240); do
    grep -q "warm and ready" "$OUT/service-$emb.log" && break
    sleep 0.5
  done
  grep -q "warm and ready" "$OUT/service-$emb.log" || { echo "text-screening did not get ready"; kill "$pid"; exit 1; }
  { date -u +%H:%M:%S; uptime; } > "$OUT/open-$emb.txt"
  loadgen --address localhost:$PORT --target text --mode open --rate 200 --max-chars 512 \
    --warmup "$WARMUP" --duration "$DURATION" >> "$OUT/open-$emb.txt" 2>&1
  { date -u +%H:%M:%S; uptime; } > "$OUT/stream-$emb.txt"
  loadgen --address localhost:$PORT --target text --mode batch --concurrency 2 --batch 64 --max-chars 512 \
    --warmup "$WARMUP" --duration "$DURATION" >> "$OUT/stream-$emb.txt" 2>&1
  kill "$pid"
  wait "$pid" || true
done
tail -n +1 "$OUT"/open-*.txt "$OUT"/stream-*.txt
