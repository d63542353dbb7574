#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time on its checked-in seed corpus.
#   tests/fuzz/run.sh [SECONDS]        default 60 s per target
# Env: FACTLAB_FUZZ_BUILD (default build/fuzz, the `fuzz` preset's folder);
#      FACTLAB_FUZZ_NO_BUILD=1 to skip the (re)build.
# New inputs found go to a scratch corpus (the checked-in seeds stay as they are);
# crashes, leaks and timeouts are saved to artifacts/fuzz/ and make the run fail.
# Reproduce one: build/fuzz/fuzz_NAME artifacts/fuzz/NAME-crash-...
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
build=${FACTLAB_FUZZ_BUILD:-build/fuzz}
art=artifacts/fuzz
mkdir -p "$art"
if [ "${FACTLAB_FUZZ_NO_BUILD:-0}" != 1 ]; then
  cmake --preset fuzz -B "$build" >/dev/null || { echo "fuzz: configure failed"; exit 2; }
  cmake --build "$build" -j2 --target fuzz_facts fuzz_state fuzz_message fuzz_safetensors || { echo "fuzz: build failed"; exit 2; }
fi
# target  corpus  max_len (bytes): the facts parser gets whole small files, links
# reach 3 x the 4 KiB state limit (percent-encoded; +1 mode byte), messages the 16 KiB limit,
# checkpoints (config + vocab + safetensors of a tiny model) 8 KiB.
targets=(
  "fuzz_facts facts 4096"
  "fuzz_state state 12400"
  "fuzz_message message 17000"
  "fuzz_safetensors safetensors 8192"
)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0 missing=0
for t in "${targets[@]}"; do
  read -r name corpus maxlen <<<"$t"
  bin="$build/$name"
  if [ ! -x "$bin" ]; then
    echo "fuzz: $name: MISSING ($bin not built)"; missing=$((missing + 1)); failed=$((failed + 1)); continue
  fi
  work="$build/corpus-work/$corpus"
  mkdir -p "$work"
  log="$art/$name.log"
  echo "fuzz: $name for ${secs}s (max_len $maxlen), seeds tests/fuzz/corpus/$corpus"
  "$bin" "$work" "tests/fuzz/corpus/$corpus" -max_total_time="$secs" -max_len="$maxlen" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/$name-" >"$log" 2>&1
  rc=$?
  stats=$(grep -E '^stat::(number_of_executed_units|new_units_added)' "$log" | awk '{printf "%s ", $0}')
  if [ $rc -eq 0 ]; then
    echo "fuzz: $name: ok ($stats)"; passed=$((passed + 1))
  else
    echo "fuzz: $name: FAILED (exit $rc); log $log"
    grep -E 'ERROR|property failed|SUMMARY|Test unit written' "$log" | head -20
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
