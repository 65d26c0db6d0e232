#!/usr/bin/env bash
# Many tenants on one process: start time (until both listeners are up) and
# idle memory (VmRSS two seconds later), with every tenant's log in sled and
# with every log in one PostgreSQL database:
#
#   cargo build --release --locked --bin candor
#   benches/tenants.sh                  # N=1000 RUNS=3 STORES="sled postgres"
#
# Every tenant gets the repository's public demo keys (keys/) and a
# candor.toml with two hosts; the PostgreSQL cluster is the bench's own
# (Debian's binaries, initdb into a temporary directory, a Unix socket only).
# The first start on a new database creates the tenants' logs; the runs
# measured are the starts after it, as a restart of a running provider.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000}
RUNS=${RUNS:-3}
STORES=${STORES:-sled postgres}
bin=${CANDOR_BIN:-target/release/candor}
[ -x "$bin" ] || { echo "build first: cargo build --release --locked --bin candor" >&2; exit 1; }
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

work=$(mktemp -d /tmp/candor-bench-tenants.XXXXXX)
pid=""
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    [ -n "$pgbin" ] && as_pg "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

for i in $(seq "$N"); do
    t="$work/tenants/t$i"
    mkdir -p "$t/keys"
    cp keys/recipients.txt keys/officer.pub keys/officer-token.sha256 "$t/keys/"
    printf 'hosts = ["t%s.example", "t%sxxxxxxxx.onion"]\noffice_name = "Office %s"\n' "$i" "$i" "$i" >"$t/candor.toml"
done

# One start: prints "seconds RSS-MiB" once both listeners are up.
measure() {
    local log="$work/serve.log" start end mem
    : >"$log"
    start=$(date +%s.%N)
    CANDOR_LOG=warn,candor=info "$bin" serve --listen 127.0.0.1:0 --officer-listen 127.0.0.1:0 \
        --tenants "$work/tenants" "$@" 2>"$log" &
    pid=$!
    until grep -q 'officer API listening' "$log"; do
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
        sleep 0.01
    done
    end=$(date +%s.%N)
    sleep 2
    mem=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
    echo "$(echo "$end - $start" | bc -l | xargs printf '%.2f') $mem"
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

report() {
    local what=$1
    shift
    local times=() rss=() out
    measure "$@" >/dev/null # creates the stores
    for _ in $(seq "$RUNS"); do
        out=$(measure "$@")
        times+=("${out% *}")
        rss+=("${out#* }")
    done
    echo "$what: start $(median "${times[@]}") s (${times[*]}), idle RSS $(median "${rss[@]}") MiB (${rss[*]})"
}

echo "$N tenants, median of $RUNS starts:"
case " $STORES " in *" sled "*) report "sled, a store per tenant" ;; esac
if [[ " $STORES " != *" postgres "* ]]; then
    :
elif [ -n "$pgbin" ]; then
    [ "$(id -u)" = 0 ] && chown postgres: "$work"
    as_pg "$pgbin/initdb" -U candor -A trust -E UTF8 --no-instructions -D "$work/pg" >/dev/null
    as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -o "-k $work -c listen_addresses=''" start >/dev/null
    "$pgbin/psql" -q -h "$work" -U candor -d postgres -c "CREATE DATABASE bench"
    # The tenants' sled stores go, so only the database holds logs.
    rm -rf "$work"/tenants/*/data
    report "PostgreSQL, one database" --store "postgres://candor@/bench?host=$work"
else
    echo "PostgreSQL: SKIPPED, not installed (apt-get install postgresql)"
fi
