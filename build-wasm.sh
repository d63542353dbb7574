#!/usr/bin/env bash
# Build the factlab page with Emscripten into build-wasm/site/.
#   ./build-wasm.sh            install what is missing, fetch Dear ImGui, build
#   ./build-wasm.sh --serve    ... then serve it on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")"
serve=0
for a in "$@"; do
  case "$a" in
    --serve) serve=1 ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "build-wasm.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
bash scripts/deps.sh web
export NODE_PATH=/usr/share/nodejs          # Debian's acorn for emcc (TOOLCHAIN.md)
bash scripts/fetch-imgui.sh external/imgui
cmake --preset wasm >/dev/null
cmake --build --preset wasm --target factlab
site=build-wasm/site
raw=$(du -cb "$site"/*.html "$site"/*.js "$site"/*.css "$site"/*.wasm | tail -1 | cut -f1)
gz=$(for f in "$site"/*.html "$site"/*.js "$site"/*.css "$site"/*.wasm; do gzip -9c "$f" | wc -c; done | awk '{s+=$1} END {print s}')
echo "site: $site ($raw bytes raw, $gz bytes gzip)"
if [ "$serve" = 1 ]; then
  exec node scripts/serve.mjs "$site" 8000
fi
