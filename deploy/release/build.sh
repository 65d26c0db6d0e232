#!/bin/sh
# Builds candor's release binaries the way a release is built, so that anyone
# with the same toolchain (RUSTUP_TOOLCHAIN, pinned below) gets the same bytes:
#
#   deploy/release/build.sh OUTDIR
#
# writes OUTDIR/candor (the server: --features server) and
# OUTDIR/candor-desk (the desk: --features desk, no networking crate).
# Paths of this checkout, of the target directory and of CARGO_HOME are
# remapped, so where the source lies does not show in the binaries;
# SOURCE_DATE_EPOCH (default: the last commit's time) is exported for any
# build step that wants a date. Nothing else in the build reads the clock.
set -eu
out=${1:?usage: build.sh OUTDIR}
# The release toolchain, pinned here rather than in a rust-toolchain.toml so
# that day-to-day builds keep whatever stable compiler (>= rust-version) the
# developer has. `rustup toolchain install 1.95.0` once on a build machine.
RUSTUP_TOOLCHAIN=${RELEASE_TOOLCHAIN:-1.95.0}
export RUSTUP_TOOLCHAIN
src=$(cd "$(dirname "$0")/../.." && pwd)
cargo_home=${CARGO_HOME:-$HOME/.cargo}
target=${CARGO_TARGET_DIR:-$src/target}
case $target in /*) ;; *) target=$src/$target ;; esac
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$src" log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH
export CARGO_TARGET_DIR="$target"
export RUSTFLAGS="--remap-path-prefix=$src=/build/candor --remap-path-prefix=$target=/build/target --remap-path-prefix=$cargo_home=/build/cargo"
cd "$src"
rustc -vV >&2
cargo build --release --locked --no-default-features --features server --bin candor
cp "$target/release/candor" "$target/release/candor.server"
cargo build --release --locked --no-default-features --features desk --bin candor-desk
mkdir -p "$out"
cp "$target/release/candor.server" "$out/candor"
cp "$target/release/candor-desk" "$out/candor-desk"
