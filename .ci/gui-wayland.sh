#!/usr/bin/env bash
# candor-desk's window on Wayland, without X: Weston's headless compositor
# (no screen, no GPU), the window through winit's Wayland backend and EGL,
# OpenGL from Mesa's software renderer, drawn into shared memory. The
# screenshot example tours every view; its PNGs go to
# test-artifacts/gui-wayland/ (not committed). Installs what it needs from
# Debian; says SKIPPED, and succeeds, only when it cannot install it.
set -euo pipefail
cd "$(dirname "$0")/.."

need=""
# weston: the compositor; libwayland-egl1, libegl-mesa0, libgl1-mesa-dri:
# EGL on Wayland with llvmpipe; libxkbcommon0: winit's keyboard; libwayland-cursor0:
# the pointer; fonts as for the X11 screenshots.
for pkg in weston libwayland-client0 libwayland-cursor0 libwayland-egl1 libegl1 libegl-mesa0 libgl1-mesa-dri libxkbcommon0 fonts-dejavu-core fonts-wqy-microhei; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
if [ -n "$need" ]; then
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! { apt-get update -qq && apt-get install -y -qq $need >/dev/null; }; then
        echo "gui on wayland: SKIPPED, could not install:$need"
        exit 0
    fi
fi

out=test-artifacts/gui-wayland
rm -rf "$out"
mkdir -p "$out"
cargo build --locked --example gui_screenshots

runtime=$(mktemp -d)
chmod 700 "$runtime"
export XDG_RUNTIME_DIR="$runtime"
weston --backend=headless-backend.so --socket=candor-wayland --width=1280 --height=900 \
    --idle-time=0 >"$out/weston.log" 2>&1 &
weston_pid=$!
trap 'kill "$weston_pid" 2>/dev/null || true; rm -rf "$runtime"' EXIT
for _ in $(seq 50); do
    [ -S "$runtime/candor-wayland" ] && break
    sleep 0.2
done
# No DISPLAY: the window can only open on Wayland.
env -u DISPLAY WAYLAND_DISPLAY=candor-wayland LIBGL_ALWAYS_SOFTWARE=1 timeout 120 \
    target/debug/examples/gui_screenshots "$out" en wayland-en
count=$(find "$out" -name '*.png' | wc -l)
if [ "$count" -ne 11 ]; then
    echo "gui on wayland: expected 11 screenshots, got $count" >&2
    exit 1
fi
echo "gui on wayland: $count screenshots in $out"
