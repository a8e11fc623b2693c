#!/usr/bin/env bash
# The front door's model-extraction monitor on real text: benign prompts of ../shared/data/text
# against synthetic extraction sweeps, embedded in-process with text-screening's MiniLM.
# Usage: bench/extraction-eval.sh [ExtractionEval options]   (after ./mvnw -pl bench -am package)
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
{ date -u +%H:%M:%S; uptime; }
exec "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp 'bench/target/screenmesh-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*' \
  io.screenmesh.bench.extraction.ExtractionEval "$@"
