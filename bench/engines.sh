#!/usr/bin/env bash
# The "Engines on the request path" runs of RESULTS.md, one after the other on one machine:
# for each backend, ./screenmesh up with -Dscreenmesh.backend=<backend> on every service, then
# image-screening (224x224 and 760x760 PNG) and audio-screening (30 s WAV) unary vs stream,
# then (native mesh only) text-screening unary vs stream; ./screenmesh down.
#
#   bench/engines.sh [OUT_DIR] [BACKENDS] [SET]   defaults: /tmp/engines-runs, "native java", main
#   WARMUP=5 DURATION=15 bench/engines.sh         seconds of warm-up and measurement per run
#
# SET main: the runs above. SET omit: the 760x760 image and the audio clip with and without
# omit_sanitized, streams with a 30 s deadline, then text-screening again (first backend only).
#
# Needs the bench jar (./mvnw -B -q -pl bench -am package -DskipTests); ./screenmesh up builds
# the services when their sources changed. Payloads are written by MediaPayloads, without
# metadata, so image- and audio-screening do not call text-screening.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${1:-/tmp/engines-runs}"
BACKENDS="${2:-native java}"
SET="${3:-main}"
WARMUP="${WARMUP:-5}"
DURATION="${DURATION:-15}"
mkdir -p "$OUT"
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
CP="bench/target/screenmesh-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
MESH=.screenmesh/run/mesh.env
jrun() { "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp "$CP" "$@"; }

[ -f "$OUT/photo-224.png" ] || jrun io.screenmesh.bench.load.MediaPayloads image 224 "$OUT/photo-224.png"
[ -f "$OUT/photo-760.png" ] || jrun io.screenmesh.bench.load.MediaPayloads image 760 "$OUT/photo-760.png"
[ -f "$OUT/speech-30s.wav" ] || jrun io.screenmesh.bench.load.MediaPayloads audio 30 samples/hello.wav "$OUT/speech-30s.wav"

# One run: its command and its report go to the log, headed by the time and the load average.
run() { # log-name main-class args...
  local log="$OUT/$1.txt"; shift
  { echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# $*"; } > "$log"
  jrun "$@" >> "$log" 2>&1 || echo "# exit $?" >> "$log"
  cat "$log"
}
media() { # log-name target payload args...
  local name=$1 target=$2 payload=$3; shift 3
  run "$name" io.screenmesh.bench.load.MediaLoad --mesh "$MESH" --target "$target" --payload "$payload" \
    --warmup "$WARMUP" --duration "$DURATION" "$@"
}
text() { # log-name args...
  local name=$1; shift
  run "$name" io.screenmesh.bench.load.LoadGen --mesh "$MESH" --target text --warmup "$WARMUP" --duration "$DURATION" "$@"
}

trap './screenmesh down' EXIT
for b in $BACKENDS; do
  SCREENMESH_JAVA_OPTS="-Dscreenmesh.backend=$b" ./screenmesh up
  if [ "$SET" = omit ]; then
    img="$OUT/photo-760.png"
    media "$b-image760-unary-c4-omit" image "$img" --mode closed --concurrency 4 --omit-sanitized
    media "$b-image760-stream-4x8-omit-30s" image "$img" --mode batch --concurrency 4 --batch 8 --omit-sanitized --deadline-ms 30000
    media "$b-image760-stream-4x8-30s" image "$img" --mode batch --concurrency 4 --batch 8 --deadline-ms 30000
    media "$b-audio-unary-c2-omit" audio "$OUT/speech-30s.wav" --mode closed --concurrency 2 --omit-sanitized
    media "$b-audio-stream-2x8-omit" audio "$OUT/speech-30s.wav" --mode batch --concurrency 2 --batch 8 --omit-sanitized
  else
    for size in 224 760; do
      img="$OUT/photo-$size.png"
      media "$b-image$size-unary-c1" image "$img" --mode closed --concurrency 1
      media "$b-image$size-stream-1x8" image "$img" --mode batch --concurrency 1 --batch 8
      media "$b-image$size-unary-c4" image "$img" --mode closed --concurrency 4
      media "$b-image$size-stream-4x8" image "$img" --mode batch --concurrency 4 --batch 8
    done
    media "$b-image760-stream-4x8-omit" image "$OUT/photo-760.png" --mode batch --concurrency 4 --batch 8 --omit-sanitized
    wav="$OUT/speech-30s.wav"
    media "$b-audio-unary-c1" audio "$wav" --mode closed --concurrency 1
    media "$b-audio-stream-1x8" audio "$wav" --mode batch --concurrency 1 --batch 8
    media "$b-audio-unary-c2" audio "$wav" --mode closed --concurrency 2
    media "$b-audio-stream-2x8" audio "$wav" --mode batch --concurrency 2 --batch 8
  fi
  if [ "$b" = "${BACKENDS%% *}" ]; then
    # text-screening does not use the backend: once per set, on the first backend's mesh.
    text "text-unary-c1-$SET" --mode closed --concurrency 1
    text "text-stream-1x64-$SET" --mode batch --concurrency 1 --batch 64
    text "text-unary-c8-$SET" --mode closed --concurrency 8
    text "text-stream-8x64-$SET" --mode batch --concurrency 8 --batch 64
  fi
  grep -h "backend" .screenmesh/logs/*.log | grep -i "ready\|backend" | head -8 > "$OUT/$b-service-backends.txt" || true
  ./screenmesh down
done
trap - EXIT
