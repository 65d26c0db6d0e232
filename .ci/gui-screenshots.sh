#!/usr/bin/env bash
# Screenshots of every view of candor-desk's desktop application, in a real
# window: X under Xvfb, OpenGL from Mesa's software renderer (llvmpipe). In
# English, French and Arabic (right to left), each with a report written in
# Chinese and one in Arabic; then the English tour again at twice the
# system's scale (WINIT_X11_SCALE_FACTOR=2, as a HiDPI desktop sets it).
# They go to test-artifacts/gui/ (not committed); look at them. Installs
# what it needs from Debian; says SKIPPED, and succeeds, only when it cannot
# install it.
set -euo pipefail
cd "$(dirname "$0")/.."

need=""
command -v xvfb-run >/dev/null 2>&1 || need="$need xvfb xauth"
# libgl1-mesa-dri: llvmpipe; libegl1/libgl1: the GL loaders glutin opens;
# libxkbcommon-x11-0: winit's keyboard on X11; fonts-dejavu-core: Arabic,
# Hebrew, Cyrillic, Greek; fonts-wqy-microhei: Chinese (the smallest
# Debian font that has it).
for pkg in libgl1-mesa-dri libegl1 libgl1 libxkbcommon-x11-0 libxcursor1 libxi6 libxrandr2 fonts-dejavu-core fonts-wqy-microhei; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
if [ -n "$need" ]; then
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! { apt-get update -qq && apt-get install -y -qq $need >/dev/null; }; then
        echo "gui screenshots: SKIPPED, could not install:$need"
        exit 0
    fi
fi

out=test-artifacts/gui
rm -rf "$out"
mkdir -p "$out"
cargo build --locked --example gui_screenshots
for lang in en fr ar; do
    LIBGL_ALWAYS_SOFTWARE=1 timeout 120 xvfb-run -a -s "-screen 0 1280x900x24" \
        target/debug/examples/gui_screenshots "$out" "$lang"
done
LIBGL_ALWAYS_SOFTWARE=1 WINIT_X11_SCALE_FACTOR=2 timeout 120 xvfb-run -a -s "-screen 0 2400x1700x24" \
    target/debug/examples/gui_screenshots "$out" en en-2x
# Eleven views per run, four runs.
count=$(find "$out" -name '*.png' | wc -l)
if [ "$count" -ne 44 ]; then
    echo "gui screenshots: expected 44, got $count" >&2
    exit 1
fi
echo "gui screenshots: $count in $out"
