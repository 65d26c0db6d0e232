#!/bin/sh
# A CycloneDX SBOM per release binary: every crate compiled into it, with
# version, licence and crates.io checksum, from Cargo.lock and the features
# that binary is built with.
#
#   deploy/release/sbom.sh OUTDIR
#
# writes OUTDIR/candor.cdx.json (server features) and
# OUTDIR/candor-desk.cdx.json (the desk as released: features gui, the
# command line and the desktop application). Needs cargo-cyclonedx
# (pinned below; `cargo install --locked cargo-cyclonedx@0.5.9`).
set -eu
out=${1:?usage: sbom.sh OUTDIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
CYCLONEDX_VERSION=0.5.9
cargo cyclonedx --version 2>/dev/null | grep -q " $CYCLONEDX_VERSION\$" \
    || { echo "sbom.sh: needs cargo-cyclonedx $CYCLONEDX_VERSION" >&2; exit 1; }
mkdir -p "$out"
cd "$src"
for pair in "candor server" "candor-desk gui"; do
    set -- $pair
    cargo cyclonedx --format json --all --no-default-features --features "$2" \
        --override-filename "candor-sbom" >/dev/null
    mv candor-sbom.json "$out/$1.cdx.json"
done
echo "SBOMs in $out"
