#!/usr/bin/env bash
# Builds a self-contained bundle for a GPU machine that has the NVIDIA driver but no JDK or Maven:
#
#   .device-bundle/
#     runtime/        a jlink'ed Java runtime (only the modules the tests and benchmarks use)
#     lib/            screenmesh-kernels (with the nvcc-built cubin/PTX), screenmesh-native, JCuda
#                     (driver binding only), the kernels' test classes, the JMH suite when bench/ is built
#     junit-platform-console-standalone.jar
#     run.sh          scripts/gpu-run.sh: CUDA correctness tests, then the benchmarks
#
# Usage: scripts/gpu-bundle.sh [output-dir]     (default .device-bundle, which git ignores)
# Environment: JAVA_HOME (a JDK 25; default /usr/lib/jvm/temurin-25-jdk-amd64),
#              SCREENMESH_MVN_OPTS (default -o: offline, from the local repository),
#              NVCC (default /usr/local/cuda/bin/nvcc; the bundle is refused without kernels).
# The bundle must stay under 64 MiB; the script fails if it does not.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/.device-bundle}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
MVN_OPTS=${SCREENMESH_MVN_OPTS--o}
# The JUnit Platform version that the Quarkus BOM manages (junit-platform-launcher 6.0.3), so the
# console launcher runs the same engine as Surefire.
JUNIT_CONSOLE="org.junit.platform:junit-platform-console-standalone:6.0.3"
LIMIT=$((64 * 1024 * 1024))

say() { printf 'gpu-bundle: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[[ -x "$JAVA_HOME/bin/jlink" ]] || die "no jlink in JAVA_HOME=$JAVA_HOME (a full JDK 25 is needed)"
[[ -x "${NVCC:-/usr/local/cuda/bin/nvcc}" ]] \
  || die "no nvcc at ${NVCC:-/usr/local/cuda/bin/nvcc}: a bundle without the CUDA kernels would test nothing"

cd "$ROOT"
modules=native,kernels
with_bench=0
if [[ -f bench/pom.xml ]]; then
  modules=$modules,bench
  with_bench=1
fi

say "building $modules (tests compiled, not run)"
# copy-dependencies in the same reactor run, so kernels' dependency on native is this tree's build.
./mvnw -B -q $MVN_OPTS -pl "$modules" package dependency:copy-dependencies -DskipTests \
  -DincludeScope=test \
  -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian

rm -rf "$OUT"
mkdir -p "$OUT/lib"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

kernels_jar=$(ls kernels/target/screenmesh-kernels-*.jar | grep -v -e '-sources' -e '-tests' | head -n1)
"$JAVA_HOME/bin/jar" tf "$kernels_jar" | grep -q 'io/screenmesh/kernels/cuda/squeeze_sm90.cubin' \
  || die "$kernels_jar has no CUDA kernel images (did nvcc run?)"
cp "$kernels_jar" "$OUT/lib/"
cp native/target/screenmesh-native-*.jar "$OUT/lib/" 2>/dev/null || true
rm -f "$OUT"/lib/*-sources.jar "$OUT"/lib/*-tests.jar
"$JAVA_HOME/bin/jar" --create --file "$OUT/lib/screenmesh-kernels-tests.jar" -C kernels/target/test-classes .

for dep in kernels/target/dependency/*.jar; do
  name=$(basename "$dep")
  case "$name" in
    screenmesh-*) ;; # this tree's jars are copied above
    jcuda-natives-*)
      # The natives jar carries NVRTC, the PTX compiler and the runtime binding (26 MB); the backend
      # uses the driver API only, so keep just that library (JCuda's loader finds it by resource name).
      mkdir -p "$stage/natives"
      (cd "$stage/natives" && "$JAVA_HOME/bin/jar" xf "$ROOT/$dep" $("$JAVA_HOME/bin/jar" tf "$ROOT/$dep" | grep 'libJCudaDriver'))
      "$JAVA_HOME/bin/jar" --create --file "$OUT/lib/$name" -C "$stage/natives" .
      ;;
    *) cp "$dep" "$OUT/lib/" ;;
  esac
done

if (( with_bench )); then
  bench_jar=$(ls bench/target/screenmesh-bench-*.jar 2>/dev/null | grep -v -e '-sources' -e '-tests' | head -n1 || true)
  if [[ -n "$bench_jar" ]]; then
    cp "$bench_jar" "$OUT/lib/"
    # The JMH suite needs JMH and its two dependencies; the load generator's gRPC stack stays out.
    for pattern in 'jmh-core-*.jar' 'jopt-simple-*.jar' 'commons-math3-*.jar'; do
      found=$(find "$ROOT/bench/target/lib" "$HOME/.m2/repository" -name "$pattern" -print -quit 2>/dev/null || true)
      [[ -n "$found" ]] && cp -n "$found" "$OUT/lib/"
    done
  else
    say "bench/ has no jar; the bundle runs the tests only"
  fi
fi

say "fetching $JUNIT_CONSOLE"
./mvnw -B -q $MVN_OPTS dependency:copy -Dartifact="$JUNIT_CONSOLE" -DoutputDirectory="$stage/junit" \
  || ./mvnw -B -q dependency:copy -Dartifact="$JUNIT_CONSOLE" -DoutputDirectory="$stage/junit"
cp "$stage"/junit/junit-platform-console-standalone-*.jar "$OUT/junit-platform-console-standalone.jar"

# Modules: what jdeps finds in the jars (its warnings filtered out), plus java.logging (JUnit's and
# System.Logger's backend), java.management/jdk.management (JMH), jdk.jfr (the console launcher
# registers a JFR listener), jdk.unsupported and jdk.zipfs. java.desktop is left out: only
# commons-math3 classes that JMH never loads refer to it, and it would cost ~12 MB.
deps=$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 \
  --class-path "$OUT/lib/*:$OUT/junit-platform-console-standalone.jar" \
  "$OUT"/lib/*.jar "$OUT/junit-platform-console-standalone.jar" 2>/dev/null | grep -E '^[a-z][a-z0-9.,]*$' | tail -n1 || true)
mods="java.base,java.logging,java.management,java.xml,jdk.jfr,jdk.management,jdk.unsupported,jdk.zipfs${deps:+,$deps}"
mods=$(tr ',' '\n' <<<"$mods" | grep -v -x 'java.desktop' | sort -u | paste -sd, -)
say "jlink: $mods"
"$JAVA_HOME/bin/jlink" --add-modules "$mods" --strip-debug --no-header-files --no-man-pages \
  --compress=zip-9 --output "$OUT/runtime"

cp "$ROOT/scripts/gpu-run.sh" "$OUT/run.sh"
chmod +x "$OUT/run.sh"

size=$(du -sb "$OUT" | cut -f1)
say "bundle: $OUT, $((size / 1024 / 1024)) MiB ($size bytes): runtime $(du -sh "$OUT/runtime" | cut -f1), lib $(du -sh "$OUT/lib" | cut -f1)"
(( size < LIMIT )) || die "bundle is $size bytes, over the 64 MiB limit"
say "run it on the GPU machine with: $(basename "$OUT")/run.sh [tests|bench|all]"
