#!/usr/bin/env bash
# Hot-path benchmarks beside their peers: ./screenmesh bench runs this after building.
#
#   bench/run.sh [squeeze|spectral|similarity|text|all] [--quick] [--json]
#                [--backends java,native,cuda] [--out FILE] [--plot DIR]
#
# Runs, per hot path, the peer scripts (numpy/scipy the way ART and noisereduce compute) and then
# the JMH benchmarks on every backend that starts, and prints throughput, the peer's throughput
# from the same run and the ratio. --json prints a JSON array instead of the table; --out also
# writes that array to FILE; --plot writes PNG plots of backend vs peer per hot path into DIR.
# Logs of every JMH and peer run go to bench/target/bench-logs/<UTC time>-<pid>/.
#
# Environment: SCREENMESH_PEERS (default ../shared/peers beside the repository),
# SCREENMESH_PYTHON (default /usr/bin/python3, which needs Debian's python3-numpy python3-scipy),
# JAVA_HOME (a JDK 22+; otherwise the newest under /usr/lib/jvm), BENCH_JAVA_OPTS (extra options for
# the suite's JVM, e.g. -Dscreenmesh.native.path=...: screenmesh.* properties reach the forks).
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
PEERS="${SCREENMESH_PEERS:-$ROOT/../shared/peers}"
PYTHON="${SCREENMESH_PYTHON:-/usr/bin/python3}"
# one folder per run, so that runs started side by side keep their own logs
LOGS="$BENCH/target/bench-logs/$(date -u +%Y%m%dT%H%M%SZ)-$$"

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

usage() {
  sed -n '4,5p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2
}

# --plot is ours; everything else goes to the suite, which checks it.
args=()
plot=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help|help) usage; exit 0 ;;
    --plot) [ $# -ge 2 ] || die "--plot needs a folder"; plot="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

find_java() {
  local cand v best="" bestv=0
  for cand in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
    [ -x "$cand/bin/java" ] || continue
    v=$("$cand/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
    if [ "${v:-0}" -ge 22 ] 2>/dev/null && [ "$v" -gt "$bestv" ]; then best="$cand"; bestv="$v"; fi
  done
  [ -n "$best" ] || die "no JDK 22 or newer found (JAVA_HOME, /usr/lib/jvm); the kernels need the FFM API"
  echo "$best/bin/java"
}
JAVA="$(find_java)"

jar=$(ls "$BENCH"/target/screenmesh-bench-*.jar 2>/dev/null | grep -v -e '-sources' -e '-tests' | head -n1 || true)
if [ -z "$jar" ] || [ ! -d "$BENCH/target/lib" ]; then
  say "bench: building the bench module and what it needs..."
  (cd "$ROOT" && JAVA_HOME="$(dirname "$(dirname "$JAVA")")" ./mvnw -B -q -pl bench -am install -DskipTests) \
    || die "build failed"
  jar=$(ls "$BENCH"/target/screenmesh-bench-*.jar | grep -v -e '-sources' -e '-tests' | head -n1)
fi

if [ ! -f "$PEERS/common.py" ]; then
  say "bench: PEERS ABSENT: no peer scripts at $PEERS (expected ../shared/peers beside the repository,"
  say "       or set SCREENMESH_PEERS). Our figures are still measured; peer values and ratios are empty."
elif ! "$PYTHON" -c 'import numpy, scipy' 2>/dev/null; then
  say "bench: $PYTHON cannot import numpy and scipy: apt-get install -y python3-numpy python3-scipy"
  say "       (peer values and ratios will be empty)"
fi

out=""
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = "--out" ] && [ $((i + 1)) -lt ${#args[@]} ] && out="${args[$((i + 1))]}"
done
if [ -n "$plot" ] && [ -z "$out" ]; then
  out="$LOGS/results.json"
  args+=(--out "$out")
fi

# Benchmarks that run side by side on a shared machine corrupt each other's figures: one at a time.
LOCK="${TMPDIR:-/tmp}/screenmesh-bench.lock"
if command -v flock >/dev/null; then
  exec 9>"$LOCK"
  if ! flock -n 9; then
    say "bench: another benchmark run holds $LOCK; waiting for it to finish..."
    flock 9
  fi
else
  say "bench: flock not found; not guarding against benchmark runs side by side"
fi

mkdir -p "$LOGS"
say "bench: logs in $LOGS"
# shellcheck disable=SC2086
"$JAVA" ${BENCH_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -Dscreenmesh.bench.peers="$PEERS" -Dscreenmesh.bench.python="$PYTHON" -Dscreenmesh.bench.logs="$LOGS" \
  -cp "$jar:$BENCH/target/lib/*" io.screenmesh.bench.jmh.BenchSuite "${args[@]}"

if [ -n "$plot" ]; then
  "$PYTHON" "$BENCH/plot.py" "$out" "$plot" >&2 || die "plotting failed (needs python3-matplotlib)"
fi
