#!/usr/bin/env bash
# What a candor server needs: memory (RSS from /proc/PID/status) at rest and
# under a short load, and disk per 1,000 reports with and without attachments.
#
#   benches/deploy-footprint.sh [N] [ATTACHMENT_KIB]   (defaults: N=1000, 100 KiB)
#
# Release build (`cargo build --release --bin candor`) and curl. Rate limits
# are off for the run (CANDOR_RATE_LIMITS=off). Disk is `du` of the data
# directory after the server has stopped (the store, its blob files and
# server.key), minus the empty store's size. Reports carry a 2 KiB description
# and two categories; "with attachments" adds one attachment of random bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
kib=${2:-100}
bin=${CARGO_TARGET_DIR:-target}/release/candor
[ -x "$bin" ] || { echo "build first: cargo build --release --bin candor" >&2; exit 1; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
head -c 2048 /dev/urandom | base64 -w0 | head -c 2048 > "$work/desc"
head -c $((kib * 1024)) /dev/urandom > "$work/attachment.bin"

start() {
    CANDOR_RATE_LIMITS=off "$bin" serve --listen 127.0.0.1:0 --officer-listen 127.0.0.1:0 \
        --data "$1" --keys keys 2>"$work/log" &
    pid=$!
    for _ in $(seq 200); do grep -q "officer API listening" "$work/log" 2>/dev/null && break; sleep 0.05; done
    site=$(grep -o 'reporter site listening on http://[^ ]*' "$work/log" | sed 's/.*on //')
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$pid/status"; }
report() {
    curl -s -o /dev/null -w '%{http_code}\n' -F kind=misconduct -F category=fraud -F category=conduct \
        -F "description=<$work/desc" "$@" "$site/report" | grep -qx 200 || { echo "a submission failed" >&2; exit 1; }
}
kib_of() { du -sk "$1" | cut -f1; }

# Empty store: the baseline, and memory at rest.
start "$work/empty"
sleep 2
rest=$(rss)
stop
base=$(kib_of "$work/empty")

# N reports without attachments, 8 clients at once: memory under load.
start "$work/plain"
export -f report; export site work
t0=$(date +%s%N)
seq "$n" | xargs -P 8 -I{} bash -c report
t1=$(date +%s%N)
load=$(hwm)
after=$(rss)
stop
plain=$(( $(kib_of "$work/plain") - base ))

# N reports, each with one attachment.
start "$work/attach"
seq "$n" | xargs -P 8 -I{} bash -c "report -F attachment=@$work/attachment.bin"
load_att=$(hwm)
stop
attach=$(( $(kib_of "$work/attach") - base ))
# At rest again, restarted on the store with attachments, after one export of everything.
start "$work/attach"
curl -s -o /dev/null -H "Authorization: Bearer $(grep -v '^#' keys/demo/officer-token | tr -d ' \n')" \
    "$(grep -o 'officer API listening on http://[^ ]*' "$work/log" | sed 's/.*on //')/export?after=0"
sleep 1
rest_full=$(rss)
stop

awk -v n="$n" -v kib="$kib" -v rest="$rest" -v load="$load" -v after="$after" -v load_att="$load_att" \
    -v plain="$plain" -v attach="$attach" -v base="$base" -v ns="$((t1 - t0))" -v rest_full="$rest_full" 'BEGIN {
    printf "memory at rest (RSS, empty store): %.1f MiB\n", rest / 1024
    printf "memory peak under load (VmHWM, %d reports by 8 clients, %.0f reports/s): %.1f MiB; RSS after: %.1f MiB\n", n, n / (ns / 1e9), load / 1024, after / 1024
    printf "memory peak with %d KiB attachments: %.1f MiB\n", kib, load_att / 1024
    printf "memory at rest after exporting that store (RSS): %.1f MiB\n", rest_full / 1024
    printf "disk, empty store: %.1f MiB\n", base / 1024
    printf "disk per 1,000 reports (2 KiB text): %.1f MiB\n", plain / 1024 * 1000 / n
    printf "disk per 1,000 reports with one %d KiB attachment each: %.1f MiB (%.2fx the attachment bytes)\n", kib, attach / 1024 * 1000 / n, attach / (kib * n)
}'
