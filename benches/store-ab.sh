#!/usr/bin/env bash
# Two candor binaries side by side on what the store does, alternating A and
# B under the same load, on 127.0.0.1 only:
#
#   benches/store-ab.sh OLD_CANDOR NEW_CANDOR   (RUNS=3 DURATION=10 CONNS=16 ATTACH_MIB=512)
#
# For each binary, RUNS times, each on a fresh data directory: durable
# submissions (a 2 KiB report with two categories, wrk at CONNS connections,
# reports/s) and one ATTACH_MIB upload (curl -F; MB/s and the server's peak
# RSS). Meant for a change to the store when the machine is too busy for
# benches/run.sh's absolute figures to compare with the README's: both
# binaries see the same conditions. Rate limits are off for the run.
set -euo pipefail
cd "$(dirname "$0")/.."
A=${1:?old candor binary}
B=${2:?new candor binary}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
ATTACH_MIB=${ATTACH_MIB:-512}
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null

work=$(mktemp -d "${BENCH_DIR:-/tmp}/candor-ab.XXXXXX")
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {
    local port oport
    port=$(free_port)
    oport=$(free_port)
    site=http://127.0.0.1:$port
    rm -rf "$work/data"
    CANDOR_RATE_LIMITS=off "$1" serve --listen "127.0.0.1:$port" --officer-listen "127.0.0.1:$oport" \
        --data "$work/data" --keys keys 2>"$work/server.log" &
    pid=$!
    for _ in $(seq 600); do curl -fso /dev/null "$site/" && return; sleep 0.05; done
    echo "the server did not start" >&2
    exit 1
}
stop() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
}

desc=$(head -c 1536 /dev/urandom | base64 -w0)
boundary=candorbench7d1f
{
    for kv in kind=misconduct category=fraud category=conduct "description=$desc"; do
        printf -- '--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' "$boundary" "${kv%%=*}" "${kv#*=}"
    done
    printf -- '--%s--\r\n' "$boundary"
} >"$work/report.body"
head -c "$((ATTACH_MIB * 1024 * 1024))" /dev/urandom >"$work/attachment.bin"

for i in $(seq "$RUNS"); do
    for which in A B; do
        bin=$A
        [ "$which" = B ] && bin=$B
        start "$bin"
        out=$(WRK_BODY=$work/report.body WRK_CONTENT_TYPE="multipart/form-data; boundary=$boundary" \
            wrk -t2 -c"$CONNS" -d"${DURATION}s" -s benches/wrk/post-file.lua "$site/report")
        if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
            echo "$out" >&2
            exit 1
        fi
        rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
        stop
        start "$bin"
        echo 5 >"/proc/$pid/clear_refs"
        secs=$(curl -fsS -o /dev/null -w '%{time_total}' -F kind=misconduct -F category=fraud \
            -F description=upload -F "attachment=@$work/attachment.bin" "$site/report")
        rss=$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
        stop
        awk -v w="$which" -v r="$i" -v rps="$rps" -v s="$secs" -v m="$ATTACH_MIB" -v rss="$rss" \
            'BEGIN {printf "%s run %d: %s submissions/s; %d MiB upload %.2f s, %.0f MB/s, server peak RSS %s MiB\n", w, r, rps, m, s, m * 1.048576 / s, rss}'
    done
done
