#!/usr/bin/env bash
# Runs on the GPU machine from a bundle made by scripts/gpu-bundle.sh (copied there as run.sh);
# needs only the NVIDIA driver: the Java runtime, the jars and the kernels are in the bundle.
#
#   run.sh [tests|bench|all] [benchmark arguments...]
#
# tests: the CUDA correctness tests (io.screenmesh.kernels.cuda.Cuda*Test) against the java
#        oracle, with the JUnit console launcher; without a device they are skipped with the reason.
# bench: the JMH suite (bench/), default arguments "all --quick --backends cuda,native,java";
#        skipped with one line when the bundle has no bench jar.
# Reports go to $REPORTS, else $OUT/reports when $OUT is set (the device runner fetches $OUT),
# else ./reports beside this script. Exit status: the tests' status, else the benchmarks'.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA="$HERE/runtime/bin/java"
REPORTS="${REPORTS:-${OUT:+$OUT/reports}}"
REPORTS="${REPORTS:-$HERE/reports}"
mode="${1:-all}"
shift || true
mkdir -p "$REPORTS"

[[ -x "$JAVA" ]] || { echo "run.sh: no bundled runtime at $JAVA" >&2; exit 2; }
"$JAVA" -version 2>&1 | head -n1
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
else
  echo "run.sh: nvidia-smi not found (no NVIDIA driver?): the CUDA tests will skip with the reason"
fi

opts=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow "-Djava.io.tmpdir=${TMPDIR:-/tmp}")
# cuFFT and cuBLAS are found by soname (CUDA 12 or 13); on machines where they live outside the
# loader's path (e.g. Python wheels under site-packages/nvidia/*/lib), hand their folders over.
libpath="${SCREENMESH_CUDA_LIBPATH:-}"
if [[ -z "$libpath" ]]; then
  libpath=$(find /usr/local /usr/lib /opt -maxdepth 7 \( -name 'libcufft.so.1[12]' -o -name 'libcublas.so.1[23]' \) \
    -printf '%h\n' 2>/dev/null | sort -u | paste -sd: -)
fi
if [[ -n "$libpath" ]]; then
  echo "run.sh: cuFFT/cuBLAS folders: $libpath"
  opts+=("-Dscreenmesh.cuda.libpath=$libpath")
fi
status=0

if [[ "$mode" == tests || "$mode" == all ]]; then
  echo "== CUDA correctness tests"
  "$JAVA" "${opts[@]}" -cp "$HERE/lib/*:$HERE/junit-platform-console-standalone.jar" \
    org.junit.platform.console.ConsoleLauncher execute \
    --select-package=io.screenmesh.kernels.cuda --include-classname='^.*\.Cuda\w*Test$' \
    --fail-if-no-tests --details=tree --disable-banner --disable-ansi-colors --reports-dir="$REPORTS/junit" \
    2>&1 | tee "$REPORTS/tests.log"
  status=${PIPESTATUS[0]}
fi

if [[ "$mode" == bench || "$mode" == all ]]; then
  if ls "$HERE"/lib/screenmesh-bench-*.jar >/dev/null 2>&1; then
    echo "== benchmarks"
    args=("$@")
    (( ${#args[@]} )) || args=(all --quick --backends cuda,native,java)
    "$JAVA" "${opts[@]}" -Dscreenmesh.bench.logs="$REPORTS/bench-logs" -cp "$HERE/lib/*" \
      io.screenmesh.bench.jmh.BenchSuite "${args[@]}" --out "$REPORTS/bench.json" 2>&1 | tee "$REPORTS/bench.log"
    bench_status=${PIPESTATUS[0]}
    (( status == 0 )) && status=$bench_status
  else
    echo "run.sh: no benchmark jar in this bundle (bench/ was not built): benchmarks skipped"
  fi
fi
exit "$status"
