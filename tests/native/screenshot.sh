#!/usr/bin/env bash
# Native window test: the desktop factlab opens an OpenGL 3.3 window under Xvfb,
# renders a few views (--state) and saves each as PNG (--screenshot); every PNG
# must be non-blank (tests/browser/png.mjs rule) and different views must give
# different pictures (so --state is really applied).
#   tests/native/screenshot.sh [BUILD_DIR]      default build/native-release
# Writes artifacts/native/NAME.png. Needs xvfb (xvfb-run), Mesa (llvmpipe), node.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build/native-release}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
app="$build/factlab"
out="$root/artifacts/native"
mkdir -p "$out"
if [ ! -x "$app" ]; then echo "native: $app is missing (build the native app first)"; echo "0 passed, 1 failed"; exit 1; fi
command -v xvfb-run >/dev/null || { echo "native: xvfb-run is missing (apt-get install xvfb xauth)"; echo "0 passed, 1 failed"; exit 1; }

# name | link state. The full lab shows a whole lab's grid (views below the fold
# look the same), so single views are taken in embed mode.
shots=(
  "lookup|view=lookup&subject=Michael%20Jordan"
  "and-gate-embed|embed=1&view=and-gate&subject=Michael%20Jordan"
  "weights-embed|embed=1&view=weights"
  "params-embed|embed=1&view=params&controls=0"
  "superposition|view=superposition"
  "sphere-embed|embed=1&view=sphere"
  "capacity|view=capacity"
  "light-theme|view=block&theme=light&subject=Michael%20Phelps"
)
passed=0 failed=0
files=()
for s in "${shots[@]}"; do
  name=${s%%|*} state=${s#*|}
  png="$out/$name.png"
  rm -f "$png"
  t0=$(date +%s.%N)
  if ! timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" "$app" --screenshot "$png" --state "$state" \
        >"$out/$name.log" 2>&1; then
    echo "native: $name: FAILED: factlab exited non-zero ($(tail -3 "$out/$name.log" | tr '\n' ' '))"
    failed=$((failed + 1)); continue
  fi
  t1=$(date +%s.%N)
  if [ ! -s "$png" ]; then echo "native: $name: FAILED: no PNG written"; failed=$((failed + 1)); continue; fi
  files+=("$name|$png")
  awk -v n="$name" -v a="$t0" -v b="$t1" 'BEGIN { printf "native: %s: rendered in %.1f s\n", n, b - a }'
done

# Decode and judge every PNG with the browser tests' decoder (node + zlib only).
if [ ${#files[@]} -gt 0 ]; then
  res=$(node --input-type=module -e '
    import fs from "node:fs";
    import crypto from "node:crypto";
    const { decodePng, imageStats, blankReason, describeStats } = await import(process.argv[1]);
    let ok = 0, bad = 0;
    const seen = new Map();
    for (const arg of process.argv.slice(2)) {
      const [name, file] = arg.split("|");
      try {
        const img = decodePng(fs.readFileSync(file));
        const s = imageStats(img);
        const why = blankReason(s);
        const hash = crypto.createHash("sha1").update(img.data).digest("hex");
        const same = seen.get(hash);
        seen.set(hash, name);
        if (why) { console.log(`native: ${name}: FAILED: blank: ${why} (${file})`); ++bad; }
        else if (same) { console.log(`native: ${name}: FAILED: the same picture as ${same}: --state not applied?`); ++bad; }
        else { console.log(`native: ${name}: ok: ${describeStats(s)}`); ++ok; }
      } catch (e) { console.log(`native: ${name}: FAILED: ${e.message}`); ++bad; }
    }
    console.log(`RESULT ${ok} ${bad}`);
  ' "$root/tests/browser/png.mjs" "${files[@]}")
  echo "$res" | grep -v '^RESULT'
  read -r _ ok bad <<<"$(echo "$res" | grep '^RESULT')"
  passed=$((passed + ${ok:-0})); failed=$((failed + ${bad:-${#files[@]}}))
fi
echo "native: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
