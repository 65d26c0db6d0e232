#!/bin/sh
# Builds the server as one static executable: glibc is linked in (every
# other dependency, sequoia-openpgp's crypto backend included, is Rust), so
# it runs on an empty root file system (deploy/Containerfile copies it onto
# one).
#
#   deploy/build-static.sh [OUT]     (default OUT: candor-static)
#
# Needs what a normal build needs: Rust and a C compiler (glibc's static
# libc.a comes with Debian's libc6-dev, which gcc pulls in). Refuses to
# finish if the result still needs a dynamic loader or a shared library.
set -eu
out=${1:-candor-static}
host=$(rustc -vV | sed -n 's/^host: //p')
case $host in
*-linux-gnu) ;;
*) echo "build-static.sh: needs a *-linux-gnu Rust host, not $host" >&2; exit 1 ;;
esac

# crt-static links glibc in (a static PIE). The getrandom crate finds the
# getrandom() call through dlsym, which a static binary cannot do, and would
# fall back to /dev/urandom: the cfg makes it call getrandom() directly, so
# the binary needs no /dev at all. An explicit --target keeps RUSTFLAGS off
# build scripts and proc macros, which must stay dynamic.
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static --cfg getrandom_backend=\"linux_getrandom\"" \
    cargo build --release --locked --target "$host" \
    --no-default-features --features server --bin candor

bin=${CARGO_TARGET_DIR:-target}/$host/release/candor
if readelf -lW "$bin" | grep -q 'INTERP'; then
    echo "build-static.sh: $bin asks for a dynamic loader" >&2
    exit 1
fi
if readelf -dW "$bin" | grep -q '(NEEDED)'; then
    echo "build-static.sh: $bin needs shared libraries:" >&2
    readelf -dW "$bin" | grep '(NEEDED)' >&2
    exit 1
fi
cp "$bin" "$out"
echo "static server binary: $out"
