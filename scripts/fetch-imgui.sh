#!/usr/bin/env bash
# Fetch Dear ImGui 1.86 sources into a git-ignored folder (never committed).
#   scripts/fetch-imgui.sh [DEST=external/imgui] [debian|git]
# debian: Debian's source package `imgui`, through a private apt configuration
#         (deb-src lines in our own folder; the system's apt setup is untouched).
# git:    the upstream tag v1.86, for machines with general internet access.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/external/imgui}
how=${2:-debian}
[ -f "$dest/imgui.cpp" ] && { echo "imgui already in $dest"; exit 0; }
work="$root/external/.imgui-fetch"
rm -rf "$work"; mkdir -p "$work"/{sources,lists/partial,cache/archives/partial,dl}

if [ "$how" = git ]; then
  git clone --depth 1 --branch v1.86 https://github.com/ocornut/imgui.git "$work/dl/imgui"
  src="$work/dl/imgui"
else
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$work/sources/deb-src.sources"
  opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/sources"
        -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o APT::Sandbox::User=root)
  apt-get "${opts[@]}" -q update >/dev/null
  (cd "$work/dl" && apt-get "${opts[@]}" -q source --download-only imgui >/dev/null)
  tar -xf "$work"/dl/imgui_*.orig.tar.* -C "$work/dl"
  src=$(dirname "$(find "$work/dl" -name imgui.cpp -not -path '*/examples/*' | head -1)")
fi
mkdir -p "$dest/backends"
for f in imgui.cpp imgui.h imgui_internal.h imgui_draw.cpp imgui_tables.cpp imgui_widgets.cpp \
         imconfig.h imstb_rectpack.h imstb_textedit.h imstb_truetype.h imgui_demo.cpp; do
  cp "$src/$f" "$dest/$f"
done
for f in imgui_impl_glfw.cpp imgui_impl_glfw.h imgui_impl_opengl3.cpp imgui_impl_opengl3.h imgui_impl_opengl3_loader.h; do
  cp "$src/backends/$f" "$dest/backends/$f"
done
rm -rf "$work"
echo "imgui 1.86 sources in $dest"
