#!/bin/sh
# Writes and signs a release's SHA256SUMS, on the offline signing machine
# (docs/releases.md, "The signing ceremony"):
#
#   deploy/release/sign.sh DISTDIR SECRETKEY
#
# DISTDIR holds the release files (binaries, .deb packages, SBOMs). Writes
# DISTDIR/SHA256SUMS (every file, sorted by name) and
# DISTDIR/SHA256SUMS.minisig (minisign, Ed25519; asks for the key's
# passphrase), then verifies both with the public key next to the secret one
# (SECRETKEY with .key replaced by .pub). An office checks a release with:
#
#   minisign -Vm SHA256SUMS -p candor-release.pub && sha256sum -c SHA256SUMS
set -eu
dist=${1:?usage: sign.sh DISTDIR SECRETKEY}
key=${2:?usage: sign.sh DISTDIR SECRETKEY}
pub=${key%.key}.pub
command -v minisign >/dev/null 2>&1 || { echo "sign.sh: needs minisign (apt-get install minisign)" >&2; exit 1; }
[ -f "$pub" ] || { echo "sign.sh: no public key $pub beside $key" >&2; exit 1; }
manifest=$(cd "$(dirname "$0")/../.." && pwd)/Cargo.toml
cd "$dist"
rm -f SHA256SUMS SHA256SUMS.minisig
find . -maxdepth 1 -type f ! -name 'SHA256SUMS*' -printf '%f\n' | LC_ALL=C sort | xargs -r sha256sum -- >SHA256SUMS.new
mv SHA256SUMS.new SHA256SUMS
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$manifest" 2>/dev/null | head -n 1 || true)
minisign -S -s "$key" -m SHA256SUMS -t "candor ${version:-release} SHA256SUMS"
minisign -V -p "$pub" -m SHA256SUMS
sha256sum -c --quiet SHA256SUMS
echo "signed: $dist/SHA256SUMS and SHA256SUMS.minisig"
