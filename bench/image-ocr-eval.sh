#!/usr/bin/env bash
# image-screening's OCR and QR detectors on the rendered typographic set (RESULTS.md, "Text in
# images"): renders the set when it is missing (scripts/make-image-data.py), then runs
# io.screenmesh.image.eval.OcrEval on one split with a real text-screening started from its
# packaged jar: TPR/FPR by kind, category, source and style, misses by name, the engine's
# latency per image, OCR word accuracy by size and contrast.
#
#   bench/image-ocr-eval.sh [SPLIT] [LIMIT_PER_KIND [trace]]   defaults: held, all; trace: OCR passes only
#   DATA=/path bench/image-ocr-eval.sh ...              the rendered set (default target/image-data)
#
# Needs the packaged services and the compiled tests:
#   ./mvnw -B -q -pl services/image-screening,services/text-screening -am package -DskipTests
# and Debian's tesseract-ocr tesseract-ocr-eng libtesseract-dev python3-skimage python3-pil.
# Tune on the dev split only; held is the held-aside split that results are reported on.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SPLIT="${1:-held}"
LIMIT="${2:-}"
DATA="${DATA:-$ROOT/target/image-data}"
export OMP_THREAD_LIMIT="${OMP_THREAD_LIMIT:-1}"
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
[ -f "$DATA/manifest.tsv" ] || /usr/bin/python3 scripts/make-image-data.py --out "$DATA"
IMG=services/image-screening
CPFILE="$IMG/target/test.classpath"
if [ ! -f "$CPFILE" ] || [ "$IMG/pom.xml" -nt "$CPFILE" ]; then
  ./mvnw -B -q -pl "$IMG" -am dependency:build-classpath -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test
fi
# This checkout's modules, not whatever snapshot jars ~/.m2 holds.
CP="$IMG/target/test-classes:$IMG/target/classes"
for m in native kernels proto services/common; do CP="$CP:$m/target/classes"; done
CP="$CP:services/common/target/test-classes:$(tr ':' '\n' < "$CPFILE" | grep -v '/io/screenmesh/' | paste -sd: -)"
exec "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp "$CP" \
  -Dscreenmesh.test.text-screening.jar="$ROOT/services/text-screening/target/quarkus-app/quarkus-run.jar" \
  io.screenmesh.image.eval.OcrEval "$DATA" "$SPLIT" ${LIMIT:+"$LIMIT"} "${@:3}"
