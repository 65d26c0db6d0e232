#!/usr/bin/env bash
# What one submission costs the server: CPU time (user + system, from
# /proc/PID/stat) per report, over N reports sent one after another by curl,
# and the wall-clock time per durable submission (flush + fsync included).
#
#   benches/submission-cost.sh [N]      (default N=2000)
#
# Needs a release build (`cargo build --release`) and curl. Rate limits are
# turned off for the run (CANDOR_RATE_LIMITS=off), as they are meant to be
# only for benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
bin=target/release/candor
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
CANDOR_RATE_LIMITS=off "$bin" serve --listen 127.0.0.1:0 --officer-listen 127.0.0.1:0 \
    --data "$work/data" --keys keys 2>"$work/log" &
pid=$!
for _ in $(seq 100); do grep -q "reporter site listening" "$work/log" 2>/dev/null && break; sleep 0.05; done
site=$(grep -o 'reporter site listening on http://[^ ]*' "$work/log" | sed 's/.*on //')
head -c 2048 /dev/urandom | base64 -w0 | head -c 2048 > "$work/desc"
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# Warm up.
for _ in $(seq 10); do
    curl -s -o /dev/null -F kind=misconduct -F category=fraud -F category=conduct -F "description=<$work/desc" "$site/report"
done
c0=$(cpu); t0=$(date +%s%N)
for _ in $(seq "$n"); do
    curl -s -o /dev/null -w '%{http_code}\n' -F kind=misconduct -F category=fraud -F category=conduct \
        -F "description=<$work/desc" "$site/report" | grep -qx 200 || { echo "a submission failed" >&2; exit 1; }
done
t1=$(date +%s%N); c1=$(cpu)
awk -v c="$((c1 - c0))" -v t="$((t1 - t0))" -v n="$n" -v hz="$ticks" 'BEGIN {
    printf "reports: %d (2 KiB description, two categories), one at a time\n", n
    printf "server CPU per report: %.3f ms (user+system, includes HTTP, multipart, age, sled, flush, fsync)\n", c / hz * 1000 / n
    printf "wall time per durable report: %.3f ms (client to receipt page)\n", t / 1e6 / n
}'
