#!/usr/bin/env bash
# How long `candor-desk open` takes, and how much memory, for export bundles
# of N reports: wall time and peak RSS from /usr/bin/time -v.
#
#   benches/desk-open.sh [N ...]            (default: 2000 10000)
#   KEYS=openpgp benches/desk-open.sh 10000 (an OpenPGP office key instead of age)
#   MODE=interleaved benches/desk-open.sh 100000
#                                           (two reports, then N messages alternating
#                                           between their two cases)
#
# Builds the release desk (the air-gapped build: --no-default-features
# --features desk) and the `desk-export` example, which writes a valid export
# bundle without a server: real envelopes sealed with `envelope::seal` to the
# office key, a real hash chain and a real signed end record, a new reporter
# recipient and case per report, 1.3 KiB of description each. Each N opens
# into a fresh vault. Needs GNU time (apt-get install time).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(2000 10000)
target=${CARGO_TARGET_DIR:-target}
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
cargo build --release --locked --no-default-features --features desk --bin candor-desk >&2
cargo build --release --locked --no-default-features --features desk --example desk-export >&2
desk=$target/release/candor-desk
export_bin=$target/release/examples/desk-export
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
keygen=(keygen --out "$work/keys" --no-passphrase)
[ "${KEYS:-age}" = openpgp ] && keygen+=(--openpgp)
"$desk" "${keygen[@]}" >/dev/null

# Each N is opened three times, each into a new vault (the vaults are
# deleted only at the end: ext4 allocates inodes slowly right after many
# were deleted, which a real desk does not do before an open); the best wall
# time is shown (the machine is shared), with that run's CPU time (user +
# system) and the highest peak RSS of the three.
runs=${RUNS:-3}
printf '%-8s %-8s %11s %12s %11s %13s\n' keys "${MODE:-reports}" "bundle MiB" "open wall s" "open CPU s" "peak RSS MiB"
for n in "${sizes[@]}"; do
    bundle=$work/export-$n.bundle
    if [ "${MODE:-reports}" = interleaved ]; then
        "$export_bin" "$work/keys/public" "$n" "$bundle" interleaved
        want=2
        # Far over the default limits of messages and bytes per case and export.
        limits=(--max-messages-per-case "$n" --max-case-bytes $(( n * 4096 )))
    else
        "$export_bin" "$work/keys/public" "$n" "$bundle"
        want=$n
        limits=()
    fi
    best= cpu= rss=0
    for i in $(seq "$runs"); do
        vault=$work/vault-$n-$i
        /usr/bin/time -v -o "$work/time" "$desk" open "$bundle" --keys "$work/keys/secret" --vault "$vault" "${limits[@]}" >/dev/null
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$work/time")
        used=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.2f", s}' "$work/time")
        kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
        [ "$kib" -gt "$rss" ] && rss=$kib
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$wall cpu=$used; fi
    done
    cases=$("$desk" cases --vault "$vault" --keys "$work/keys/secret" --json | grep -c '"id"')
    [ "$cases" -eq "$want" ] || { echo "expected $want cases in the vault, found $cases" >&2; exit 1; }
    mib=$(du -m "$bundle" | cut -f1)
    printf '%-8s %-8s %11s %12s %11s %13s\n' "${KEYS:-age}" "$n" "$mib" "$best" "$cpu" "$(awk -v k="$rss" 'BEGIN {printf "%.1f", k/1024}')"
done
