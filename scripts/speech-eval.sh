#!/usr/bin/env bash
# The speech evaluation (bench/RESULTS.md, "Speech"): synthesizes the data set when it is missing
# (scripts/speech-data.py), builds audio-screening and text-screening, and screens every clip
# with the audio engine against a real text-screening process.
#   scripts/speech-eval.sh            # all clips, then the 10 s latency runs
#   scripts/speech-eval.sh drift [N]  # drift scores of N benign clips per channel and split
# Output: target/speech-eval/{clips.jsonl,latency.txt,drift.jsonl}; summary: scripts/speech-report.py.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA="${SPEECH_DATA:-$ROOT/target/speech-data}"
OUT="${SPEECH_EVAL_OUT:-$ROOT/target/speech-eval}"
MANIFEST="${SPEECH_MANIFEST:-$DATA/manifest.jsonl}"
[ -f "$DATA/manifest.jsonl" ] || python3 scripts/speech-data.py --out "$DATA"
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -B -q -pl services/text-screening,services/audio-screening -am test-compile package -DskipTests
fi
./mvnw -B -q -o -pl services/audio-screening -am dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$ROOT/target/speech-eval.cp"
# The project's own modules come from this build's output, never from a local repository.
CP="services/audio-screening/target/test-classes:services/audio-screening/target/classes"
IFS=: read -r -a ENTRIES < "$ROOT/target/speech-eval.cp" || true  # no newline at the end
for e in "${ENTRIES[@]}"; do
  case "$e" in
    */io/screenmesh/screenmesh-services-common/*-tests.jar) e=services/common/target/test-classes ;;
    */io/screenmesh/screenmesh-services-common/*) e=services/common/target/classes ;;
    */io/screenmesh/screenmesh-proto/*) e=proto/target/classes ;;
    */io/screenmesh/screenmesh-kernels/*) e=kernels/target/classes ;;
    */io/screenmesh/screenmesh-native/*) e=native/target/classes ;;
  esac
  CP="$CP:$e"
done
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" --enable-native-access=ALL-UNNAMED -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "$CP" io.screenmesh.audio.SpeechEval "$MANIFEST" "$OUT" "$@"
