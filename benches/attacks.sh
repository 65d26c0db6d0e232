#!/usr/bin/env bash
# Cheap attacks against candor, each while a real reporter files reports:
#
#   benches/attacks.sh                  (SECONDS_EACH=30 by default)
#   CANDOR_BIN=path/to/candor benches/attacks.sh   (another build, e.g. an older one)
#
# For each attack a fresh server (release build, default configuration, rate
# limits off as for every benchmark, descriptor limit 4096) is started on
# 127.0.0.1, benches/attacks.py runs the attack for SECONDS_EACH seconds while
# a reporter files a 2 KiB report every 2 s on a new connection, and prints
# one line of JSON: reports filed and failed, the slowest receipt, the
# server's peak RSS during the attack and its RSS 10 s after the attack ended.
# Every attack is bounded in time and stops by itself. The attacks:
#
#   slow-uploads   64 uploads sending 5 bytes every 2 s (2 x max_concurrent_submissions)
#   slow-headers   2,000 connections trickling a request head, 1 KiB every 0.5 s
#   idle           6,000 idle connections (above the 4,096 descriptor limit)
#   many-parts     a request of 60,000 empty file parts every second
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${SECONDS_EACH:-30}
ATTACKS=${ATTACKS:-"slow-uploads slow-headers idle many-parts"}
target=${CARGO_TARGET_DIR:-target}
if [ -z "${CANDOR_BIN:-}" ]; then
    cargo build --release --locked --bin candor --bin candor-desk >&2
fi
bin=${CANDOR_BIN:-$target/release/candor}
desk=${CANDOR_DESK:-$target/release/candor-desk}
# The attacker needs descriptors of its own: thousands of sockets (as many
# as the hard limit allows, up to 65,536).
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=65536
ulimit -n $(( hard < 65536 ? hard : 65536 ))

work=$(mktemp -d "${BENCH_DIR:-/tmp}/candor-attacks.XXXXXX")
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
"$desk" keygen --no-passphrase --out "$work/office" >/dev/null
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

for attack in $ATTACKS; do
    port=$(free_port)
    oport=$(free_port)
    rm -rf "$work/data"
    # The unit's LimitNOFILE is 8192; 4096 here so the idle attack passes it.
    CANDOR_RATE_LIMITS=off prlimit --nofile=4096:4096 "$bin" serve \
        --listen "127.0.0.1:$port" --officer-listen "127.0.0.1:$oport" \
        --data "$work/data" --keys "$work/office/public" 2>"$work/server.log" &
    pid=$!
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/" && break
        sleep 0.1
    done
    python3 benches/attacks.py --site "http://127.0.0.1:$port" --pid "$pid" \
        --attack "$attack" --seconds "$SECONDS_EACH" --conns "$([ "$attack" = idle ] && echo 6000 || echo 0)" \
        || echo "{\"attack\": \"$attack\", \"error\": \"the attack script failed\"}"
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "{\"attack\": \"$attack\", \"server\": \"died\"}"
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
done
