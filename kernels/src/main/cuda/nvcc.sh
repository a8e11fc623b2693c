#!/usr/bin/env bash
# Compiles every kernels/src/main/cuda/*.cu into the variants the cuda backend loads:
#   <name>_sm90.cubin      SASS for compute capability 9.0 (H100/H200), loaded as is
#   <name>_compute80.ptx   PTX for compute_80, JIT-compiled by the driver on any other GPU >= 8.0
# plus kernels.properties, which records what was built and by which nvcc.
#
# Usage: nvcc.sh <cuda-source-dir> <shared-include-dir> <output-dir>
# Environment: NVCC (default /usr/local/cuda/bin/nvcc); SCREENMESH_REQUIRE_NVCC=1 turns a missing
# nvcc into a failure (CI sets it so that a machine without the toolkit cannot pass silently).
#
# Without nvcc the build goes on with ONE line saying so; the cuda backend then refuses to start
# ("kernel image missing") and the other backends are unaffected. A compile error always fails.
set -euo pipefail

src=${1:?cuda source dir}
inc=${2:?shared include dir}
out=${3:?output dir}
nvcc=${NVCC:-/usr/local/cuda/bin/nvcc}

if [[ ! -x "$nvcc" ]]; then
  if [[ "${SCREENMESH_REQUIRE_NVCC:-0}" == 1 ]]; then
    echo "[screenmesh] ERROR: nvcc not found at $nvcc and SCREENMESH_REQUIRE_NVCC=1" >&2
    exit 1
  fi
  echo "[screenmesh] nvcc not found at $nvcc: CUDA kernels skipped (cuda backend unavailable in this build; set NVCC=/path/to/nvcc to build them)"
  exit 0
fi

shopt -s nullglob
sources=("$src"/*.cu)
if (( ${#sources[@]} == 0 )); then
  echo "[screenmesh] no .cu sources in $src: nothing to compile"
  exit 0
fi
mkdir -p "$out"

# Up to date when every output is newer than every input (sources, headers, this script).
inputs=("${sources[@]}" "$src"/*.cuh "$inc"/*.h "$0")
stale=0
for s in "${sources[@]}"; do
  name=$(basename "$s" .cu)
  for o in "$out/${name}_sm90.cubin" "$out/${name}_compute80.ptx"; do
    [[ -f "$o" ]] || { stale=1; continue; }
    for i in "${inputs[@]}"; do
      [[ "$i" -nt "$o" ]] && stale=1
    done
  done
done
[[ -f "$out/kernels.properties" ]] || stale=1
if (( stale == 0 )); then
  exit 0
fi

# -fmad=false: the shared headers specify float32 rounding after every step (bit-exact squeeze,
# CPU/GPU agreement); nvcc would otherwise contract a*b+c into FMA. No fast-math for the same reason.
flags=(-std=c++17 -O3 -fmad=false -Werror all-warnings -I "$inc" -I "$src")
variants=()
for s in "${sources[@]}"; do
  name=$(basename "$s" .cu)
  "$nvcc" "${flags[@]}" -ptx -arch=compute_80 -o "$out/${name}_compute80.ptx" "$s"
  "$nvcc" "${flags[@]}" -cubin -arch=sm_90 -o "$out/${name}_sm90.cubin" "$s"
  variants+=("${name}_sm90.cubin" "${name}_compute80.ptx")
done

version=$("$nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')
{
  echo "# written by kernels/src/main/cuda/nvcc.sh"
  echo "nvcc.version=${version}"
  echo "modules=$(for s in "${sources[@]}"; do basename "$s" .cu; done | paste -sd, -)"
  echo "variants=$(IFS=,; echo "${variants[*]}")"
} > "$out/kernels.properties"
echo "[screenmesh] CUDA kernels built with nvcc ${version}: ${#variants[@]} images in $out"
