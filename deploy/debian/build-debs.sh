#!/bin/sh
# Builds the two Debian packages from the release binaries:
#
#   deploy/debian/build-debs.sh OUTDIR
#
#   candor_VERSION_ARCH.deb        the server: /usr/bin/candor, the systemd
#                                  unit, the candor system user (postinst),
#                                  /var/lib/candor (0700, candor), /etc/candor
#                                  with candor.toml and keys/, the example
#                                  configuration and the torrc snippet in
#                                  /usr/share/doc/candor/
#   candor-desk_VERSION_ARCH.deb   the air-gapped desk: /usr/bin/candor-desk,
#                                  built without any networking crate
#
# The binaries come from deploy/release/build.sh (the reproducible build);
# cargo-deb (pinned below) packs them, with SOURCE_DATE_EPOCH as every
# file's date. CANDOR_DEB_PREBUILT=1 packs the binaries already in
# target/release/ instead (CI: those of `cargo build --release`).
set -eu
out=${1:?usage: build-debs.sh OUTDIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
CARGO_DEB_VERSION=3.8.0
cargo deb --version 2>/dev/null | grep -q "$CARGO_DEB_VERSION" \
    || { echo "build-debs.sh: needs cargo-deb $CARGO_DEB_VERSION (cargo install --locked cargo-deb@$CARGO_DEB_VERSION)" >&2; exit 1; }
cd "$src"
# cargo-deb finds assets under target/: the default target directory.
unset CARGO_TARGET_DIR
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH
if [ "${CANDOR_DEB_PREBUILT:-}" != 1 ]; then
    deploy/release/build.sh "$src/target/release-bins"
fi
# The unit of deploy/ with the package's paths.
mkdir -p target/debian-unit
sed -e 's#/usr/local/bin/candor#/usr/bin/candor#g' \
    -e 's#file:///usr/local/share/doc/candor/README.md#file:///usr/share/doc/candor/README.md#' \
    -e 's#^\# systemd unit for the candor server. Install as /etc/systemd/system/candor.service.#\# systemd unit for the candor server, installed by the candor package.#' \
    deploy/candor.service >target/debian-unit/candor.service
cargo deb --no-build --locked --output "$out"
cargo deb --no-build --locked --variant desk --output "$out"
ls -l "$out"/*.deb
