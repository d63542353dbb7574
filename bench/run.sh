#!/usr/bin/env bash
# Runs the superposition benchmark natively and as wasm under node, in one go.
#   bench/run.sh [--quick] [factlab-bench flags...]
# Prints seconds per step, GFLOP/s, ratios against the naive Eigen step and the
# measured SIMD peak; it never asserts on time (these machines are noisy).
set -euo pipefail
cd "$(dirname "$0")/.."
native=build/native-release/factlab-bench
wasm=build-wasm/factlab-bench.js
[ -x "$native" ] || { echo "bench/run.sh: build first: cmake --preset native-release && cmake --build --preset native-release"; exit 2; }
echo "--- native ($native $*)"
"$native" "$@"
if [ -f "$wasm" ]; then
  echo "--- wasm under node ($wasm $*)"
  node "$wasm" "$@"
else
  echo "--- wasm: $wasm not built (cmake --preset wasm && cmake --build --preset wasm)"
fi
