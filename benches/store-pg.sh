#!/usr/bin/env bash
# Durable submissions per second on PostgreSQL, one process and two sharing
# one database, beside the embedded store, all on this machine:
#
#   cargo build --release --locked --bin candor
#   benches/store-pg.sh                 # RUNS=3 DURATION=10 CONNS=16
#
# A cluster of its own (Debian's postgresql binaries, initdb into a temporary
# directory as the postgres user, a Unix socket only, fsync and
# synchronous_commit on as in production); wrk -t2 -cCONNS posting a 2 KiB
# report with two categories (benches/wrk/post-file.lua), rate limits off.
# With two processes each gets CONNS/2 connections and the rates are added.
# During the one-process PostgreSQL runs it also counts the CPU time candor
# and PostgreSQL's processes spend per submission (utime + stime from /proc),
# which tells what two idle cores could take whatever else shares them.
# Then the export of the last EXPORT_N reports (default 10,000) from each
# store through the officer API (curl, the demo token of keys/demo), with
# the server's peak RSS during it (VmHWM, reset through clear_refs).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
EXPORT_N=${EXPORT_N:-10000}
bin=${CANDOR_BIN:-target/release/candor}
[ -x "$bin" ] || { echo "build first: cargo build --release --locked --bin candor" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$pgbin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }

work=$(mktemp -d /tmp/candor-bench-pg.XXXXXX)
pids=()
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    as_pg "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres: "$work"
as_pg "$pgbin/initdb" -U candor -A trust -E UTF8 --no-instructions -D "$work/pg" >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-k $work -c listen_addresses='' -c max_connections=100" start >/dev/null
"$pgbin/psql" -q -h "$work" -U candor -d postgres -c "CREATE DATABASE bench"
url="postgres://candor@/bench?host=$work"

token=$(grep -v '^#' keys/demo/officer-token | tr -d ' \n')

# Starts candor (extra arguments after the data directory); sets $site, $officer and $pid.
start() {
    local data=$1
    shift
    mkdir -p "$data"
    : >"$data.log"
    CANDOR_RATE_LIMITS=off "$bin" serve --listen 127.0.0.1:0 --officer-listen 127.0.0.1:0 \
        --data "$data" --keys keys "$@" 2>"$data.log" &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do
        site=$(sed -n 's/.*reporter site listening on \(http:[^ ]*\).*/\1/p' "$data.log")
        officer=$(sed -n 's/.*officer API listening on \(http:[^ ]*\).*/\1/p' "$data.log")
        [ -n "$site" ] && [ -n "$officer" ] && return 0
        sleep 0.1
    done
    cat "$data.log" >&2
    exit 1
}

desc=$(head -c 1536 /dev/urandom | base64 -w0)
boundary=candorbench7d1f
{
    for kv in kind=misconduct category=fraud category=conduct "description=$desc"; do
        printf -- '--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' "$boundary" "${kv%%=*}" "${kv#*=}"
    done
    printf -- '--%s--\r\n' "$boundary"
} >"$work/report.body"

# wrk against $1 with $2 connections; prints requests/s, fails on any error answer.
rps() {
    local out
    out=$(WRK_BODY=$work/report.body WRK_CONTENT_TYPE="multipart/form-data; boundary=$boundary" \
        wrk -t2 -c"$2" -d"${DURATION}s" -s benches/wrk/post-file.lua "$1/report")
    if printf '%s' "$out" | grep -q 'Non-2xx'; then
        echo "wrk saw failed requests:" >&2
        printf '%s\n' "$out" >&2
        exit 1
    fi
    printf '%s' "$out" | awk '/Requests\/sec/ {printf "%d", $2}'
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# CPU clock ticks used so far by the processes given.
ticks() { local s=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && s=$((s + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$s"; }
pg_pids() { local pm; pm=$(head -1 "$work/pg/postmaster.pid"); echo "$pm" $(pgrep -P "$pm"); }

# Exports the last EXPORT_N entries from the officer API $1 of process $2,
# RUNS times; prints "seconds MB peak-RSS-MiB" of the median run by time.
export_last() {
    local api=$1 p=$2 head after out=()
    head=$(curl -fsS -H "Authorization: Bearer $token" "$api/status?after=0" | sed 's/.*"head":\([0-9]*\).*/\1/')
    after=$((head - EXPORT_N))
    [ "$after" -ge 0 ] || { echo "only $head entries; raise DURATION to export $EXPORT_N" >&2; exit 1; }
    for _ in $(seq "$RUNS"); do
        echo 5 >"/proc/$p/clear_refs"
        read -r size secs < <(curl -fsS -o /dev/null -w '%{size_download} %{time_total}\n' \
            -H "Authorization: Bearer $token" "$api/export?after=$after")
        out+=("$secs $(awk -v b="$size" 'BEGIN {printf "%.1f", b / 1e6}') $(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$p/status")")
    done
    printf '%s\n' "${out[@]}" | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}

start "$work/sled"
sled_site=$site
sled=()
for _ in $(seq "$RUNS"); do sled+=("$(rps "$sled_site" "$CONNS")"); done
sled_export=$(export_last "$officer" "$pid")

start "$work/a" --store "$url"
site_a=$site
pid_a=$pid
officer_a=$officer
one=()
c0=$(ticks "$pid_a")
p0=$(ticks $(pg_pids))
for _ in $(seq "$RUNS"); do one+=("$(rps "$site_a" "$CONNS")"); done
c1=$(ticks "$pid_a")
p1=$(ticks $(pg_pids))
# Submissions made in these runs: the log's head.
made=$("$pgbin/psql" -qAt -h "$work" -U candor -d bench -c "SELECT head_seq FROM candor_logs")
cpu=$(awk -v c=$((c1 - c0)) -v p=$((p1 - p0)) -v n="$made" -v t="$(getconf CLK_TCK)" 'BEGIN {
    cm = c / t * 1000 / n; pm = p / t * 1000 / n
    printf "candor %.3f ms, PostgreSQL %.3f ms: two idle cores would take %d/s", cm, pm, 2000 / (cm + pm) }')
pg_export=$(export_last "$officer_a" "$pid_a")

start "$work/b" --store "$url"
site_b=$site
two=()
for _ in $(seq "$RUNS"); do
    rps "$site_a" $((CONNS / 2)) >"$work/ra" &
    ra=$!
    rb=$(rps "$site_b" $((CONNS / 2)))
    wait "$ra"
    two+=("$(( $(cat "$work/ra") + rb ))")
done
entries=$("$pgbin/psql" -qAt -h "$work" -U candor -d bench -c "SELECT head_seq FROM candor_logs")

echo "durable submissions/s, $CONNS connections, wrk -d${DURATION}s, median of $RUNS (runs):"
echo "  sled, one process:        $(median "${sled[@]}") (${sled[*]})"
echo "  PostgreSQL, one process:  $(median "${one[@]}") (${one[*]})"
echo "  PostgreSQL, two processes: $(median "${two[@]}") (${two[*]})"
echo "  entries in the PostgreSQL log afterwards: $entries"
echo "CPU per submission, PostgreSQL one process ($made submissions): $cpu"
echo "export of the last $EXPORT_N entries (reports), median of $RUNS by time: seconds, MB, server peak RSS MiB"
echo "  sled:       $sled_export"
echo "  PostgreSQL: $pg_export"
