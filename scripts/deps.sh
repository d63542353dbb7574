#!/usr/bin/env bash
# Install what factlab needs from Debian's registry (and npm for browser tests).
#   scripts/deps.sh [web|test]   web: what the page build needs; test: everything
# Idempotent: installs only what is missing. Needs root or sudo to install.
set -euo pipefail
what=${1:-test}
pkgs=(cmake g++ make libeigen3-dev doctest-dev nlohmann-json3-dev libstb-dev
      emscripten fonts-inter fonttools python3 ca-certificates)
if [ "$what" = test ]; then
  pkgs+=(libglfw3-dev xvfb xauth x11-apps imagemagick chromium clang libclang-rt-14-dev
         python3-numpy)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi
if [ "$what" = test ]; then
  root=$(cd "$(dirname "$0")/.." && pwd)
  if [ ! -d "$root/node_modules/playwright-core" ]; then
    (cd "$root" && npm ci --no-audit --no-fund)
  fi
fi
