#!/bin/sh
# The reproducibility check: builds the release binaries twice from the
# committed source, in two different directories, one after the other (so at
# different times, with a different umask and time zone), and compares their
# SHA-256. Exit 0 and "reproducible" when every binary matches.
#
#   deploy/release/reproduce.sh [WORKDIR]
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
SOURCE_DATE_EPOCH=$(git -C "$src" log -1 --format=%ct)
export SOURCE_DATE_EPOCH
unset CARGO_TARGET_DIR RUSTFLAGS

one() {
    dir=$1
    rm -rf "$dir"
    mkdir -p "$dir"
    git -C "$src" archive --format=tar HEAD | tar -x -C "$dir"
    "$dir/deploy/release/build.sh" "$dir/out"
}
(umask 022; TZ=UTC one "$work/first/candor")
sleep 2
(umask 077; TZ=Pacific/Kiritimati one "$work/second/a/longer/path/candor")

status=0
for bin in candor candor-desk; do
    a=$(sha256sum <"$work/first/candor/out/$bin" | cut -d' ' -f1)
    b=$(sha256sum <"$work/second/a/longer/path/candor/out/$bin" | cut -d' ' -f1)
    echo "$bin $a $b"
    [ "$a" = "$b" ] || { echo "$bin differs between the two builds" >&2; status=1; }
done
[ $status = 0 ] && echo "reproducible"
exit $status
