#!/usr/bin/env bash
# The one test command: installs what is missing, builds native and wasm, and
# runs every suite. Prints a summary line "suites: N passed, N failed" and exits
# non-zero when any suite failed.
#   scripts/test.sh            everything (what CI runs)
#   scripts/test.sh --quick    skip the sanitizer build and the fuzzers
# Artifacts (screenshots, fuzz crashes, logs) go to artifacts/.
set -uo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1
export NODE_PATH=/usr/share/nodejs              # Debian's acorn for emcc (TOOLCHAIN.md)
mkdir -p artifacts
passed=0; failed=0; failures=()

suite() {  # suite NAME COMMAND...: runs one suite, records its result
  local name=$1; shift
  echo; echo "=== $name"
  local t0=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); echo "=== $name: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAILED ($((SECONDS - t0)) s)"
  fi
}

bash scripts/deps.sh test || { echo "scripts/deps.sh failed"; exit 1; }
bash scripts/fetch-imgui.sh external/imgui || { echo "could not fetch Dear ImGui"; exit 1; }

build_native() { cmake --preset native-release >/dev/null && cmake --build --preset native-release; }
build_wasm() { cmake --preset wasm >/dev/null && cmake --build --preset wasm; }
suite "native build" build_native
suite "native core tests (ctest)" ctest --preset native-release
suite "native window (Xvfb screenshots)" bash tests/native/screenshot.sh build/native-release
suite "wasm build" build_wasm
suite "wasm core tests (node)" ctest --preset wasm
suite "native vs wasm agreement" node --test tests/agreement/
suite "browser tests (Chromium)" env FACTLAB_SITE=build-wasm/site node --test --test-concurrency=1 tests/browser/
suite "benchmark (quick, prints ratios)" bash bench/run.sh --quick
if [ "$quick" = 0 ]; then
  build_asan() { cmake --preset asan >/dev/null && cmake --build --preset asan; }
  suite "ASan+UBSan build" build_asan
  suite "ASan+UBSan core tests" ctest --preset asan
  build_fuzz() { cmake --preset fuzz >/dev/null && cmake --build --preset fuzz; }
  suite "fuzz build" build_fuzz
  suite "fuzzers (60 s each)" bash tests/fuzz/run.sh 60
fi

echo
for f in "${failures[@]}"; do echo "failed suite: $f"; done
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
