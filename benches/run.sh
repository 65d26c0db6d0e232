#!/usr/bin/env bash
# candor against its limits, in one run, on 127.0.0.1 only:
#
#   benches/run.sh              (RUNS=3 DURATION=10 CONNS=16 ATTACH_MIB=512 by default)
#
# Builds the release binaries and the bare axum ceiling (examples/bare.rs),
# installs wrk and GNU time from Debian if missing, then measures, each RUNS
# times (the median is reported, the runs are printed too):
#
#   form GET /report        candor and the bare server, alternately (req/s)
#   durable submissions     CONNS connections, 2 KiB report, two categories (reports/s)
#   follow-up log-ins       POST /followup with a valid receipt (log-ins/s)
#   export                  the last 10,000 reports (s, MB/s)
#   idle RSS, cold start    empty store, from exec to the first answer to GET /
#   512 MiB attachment      upload (MB/s), server peak RSS, export, desk open + peak RSS
#   fsync latency           write 4 KiB + fsync on the data directory's disk
#
# Server memory per phase is VmHWM from /proc (reset before each phase by
# writing 5 to /proc/PID/clear_refs), so each figure is that phase's peak.
# Every load is bounded in time (DURATION seconds per wrk run) and stops by
# itself; rate limits are off (CANDOR_RATE_LIMITS=off), as for benchmarks only.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
ATTACH_MIB=${ATTACH_MIB:-512}
EXPORT_N=${EXPORT_N:-10000}
target=${CARGO_TARGET_DIR:-target}

need() { command -v "$1" >/dev/null || apt-get install -y "$2" >/dev/null; }
need wrk wrk
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
need python3 python3
need curl curl

cargo build --release --locked --bin candor --bin candor-desk --example bare >&2
bin=$target/release/candor
desk=$target/release/candor-desk
bare=$target/release/examples/bare

work=$(mktemp -d "${BENCH_DIR:-/tmp}/candor-bench.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

log() { echo "# $*" >&2; }
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
kib() { awk '/^'"$2"':/ {print $2}' "/proc/$1/status"; }
mib() { awk '{printf "%.1f", $1 / 1024}'; }
reset_peak() { echo 5 > "/proc/$1/clear_refs"; }

"$desk" keygen --no-passphrase --out "$work/office" >/dev/null
token=$(grep -v '^#' "$work/office/secret/officer-token" | head -n1)

# Starts candor on DATA; sets $pid, $site, $officer and $start_ms, the
# milliseconds from exec to the first complete answer to GET / (polled every 0.5 ms).
start_candor() {
    local data=$1 port oport
    mkdir -p "$(dirname "$data")"
    port=$(free_port)
    oport=$(free_port)
    site=http://127.0.0.1:$port
    officer=http://127.0.0.1:$oport
    python3 - "$port" "$bin" serve --listen "127.0.0.1:$port" --officer-listen "127.0.0.1:$oport" \
        --data "$data" --keys "$work/office/public" >"$work/started" 2>"$work/start.err" <<'EOF'
import os, socket, subprocess, sys, time
port = int(sys.argv[1])
env = dict(os.environ, CANDOR_RATE_LIMITS="off")
log = open(os.path.join(os.path.dirname(sys.argv[sys.argv.index("--data") + 1]), "server.log"), "ab")
t0 = time.perf_counter()
p = subprocess.Popen(sys.argv[2:], env=env, stdout=log, stderr=log, start_new_session=True)
while True:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1)
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        if s.recv(12).startswith(b"HTTP/1.1 200"):
            t1 = time.perf_counter()
            s.close()
            break
        s.close()
    except OSError:
        pass
    if p.poll() is not None or time.perf_counter() - t0 > 30:
        sys.exit("the server did not answer")
    time.sleep(0.0005)
print(p.pid, "%.1f" % ((t1 - t0) * 1000))
EOF
    read -r pid start_ms <"$work/started"
    pids+=("$pid")
}
stop_candor() {
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

# wrk; prints requests/s, and stops the run on any answer that is not 2xx/3xx.
wrk_rps() {
    local out
    out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" "$@")
    if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
        echo "$out" >&2
        echo "wrk saw failed requests; the figures would be meaningless" >&2
        exit 1
    fi
    awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out"
}

declare -A R # results: name -> "median (runs)"
record() {
    local name=$1
    shift
    R[$name]="$(printf '%s\n' "$@" | median) ($*)"
    log "$name: ${R[$name]}"
}

log "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

# --- raw fsync latency of the disk under the data directory ---
fsync_ms=$(python3 - "$work/fsync.probe" <<'EOF'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
ts = []
for _ in range(500):
    t = time.perf_counter(); os.write(fd, b"x" * 4096); os.fsync(fd); ts.append(time.perf_counter() - t)
os.close(fd); os.unlink(sys.argv[1])
ts.sort()
print("%.3f %.3f" % (ts[len(ts) // 2] * 1000, ts[len(ts) * 99 // 100] * 1000))
EOF
)
read -r fsync_p50 fsync_p99 <<<"$fsync_ms"
log "write 4 KiB + fsync: p50 $fsync_p50 ms, p99 $fsync_p99 ms"

# --- cold start and idle memory, each on a new empty store ---
cold=() idle=()
for i in $(seq "$RUNS"); do
    start_candor "$work/cold$i/data"
    cold+=("$start_ms")
    sleep 1
    idle+=("$(kib "$pid" VmRSS | mib)")
    stop_candor
    rm -rf "$work/cold$i"
done
record cold_ms "${cold[@]}"
record idle_mib "${idle[@]}"

# --- the main server: form, submissions, log-ins, export ---
start_candor "$work/main/data"
main_pid=$pid
curl -fsS -D "$work/form.headers" -o "$work/form.html" "$site/report"
bport=$(free_port)
"$bare" "127.0.0.1:$bport" "$work/form.html" "$work/form.headers" 2>"$work/bare.log" &
bare_pid=$!
pids+=("$bare_pid")
for _ in $(seq 200); do curl -fso /dev/null "http://127.0.0.1:$bport/report" && break; sleep 0.02; done
cmp -s "$work/form.html" <(curl -fsS "http://127.0.0.1:$bport/report") || { echo "bare does not serve the form's bytes" >&2; exit 1; }

form=() form_bare=() form_ratio=() form_mem=()
for i in $(seq "$RUNS"); do
    reset_peak "$main_pid"
    c=$(wrk_rps "$site/report")
    form_mem+=("$(kib "$main_pid" VmHWM | mib)")
    b=$(wrk_rps "http://127.0.0.1:$bport/report")
    form+=("$c") form_bare+=("$b")
    form_ratio+=("$(awk -v c="$c" -v b="$b" 'BEGIN {printf "%.2f", c / b}')")
done
bare_mem=$(kib "$bare_pid" VmHWM | mib)
record form_rps "${form[@]}"
record form_bare_rps "${form_bare[@]}"
record form_ratio "${form_ratio[@]}"
record form_mib "${form_mem[@]}"

# A 2 KiB report with two categories, as the browser sends it.
desc=$(head -c 1536 /dev/urandom | base64 -w0)
boundary=candorbench7d1f
{
    for kv in kind=misconduct category=fraud category=conduct "description=$desc"; do
        printf -- '--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' "$boundary" "${kv%%=*}" "${kv#*=}"
    done
    printf -- '--%s--\r\n' "$boundary"
} >"$work/report.body"
subs=() subs_mem=()
for i in $(seq "$RUNS"); do
    reset_peak "$main_pid"
    subs+=("$(WRK_BODY=$work/report.body WRK_CONTENT_TYPE="multipart/form-data; boundary=$boundary" \
        wrk_rps -s benches/wrk/post-file.lua "$site/report")")
    subs_mem+=("$(kib "$main_pid" VmHWM | mib)")
done
record submit_rps "${subs[@]}"
record submit_mib "${subs_mem[@]}"

# One more report, by curl, for its receipt.
receipt=$(curl -fsS -F kind=misconduct -F category=fraud -F category=conduct -F "description=$desc" "$site/report" |
    grep -o 'id="receipt"[^>]*>[^<]*' | sed 's/.*>//' | tr -d ' ')
[ -n "$receipt" ] || { echo "no receipt on the answer page" >&2; exit 1; }
printf 'receipt=%s' "$receipt" >"$work/login.body"
logins=() logins_mem=()
for i in $(seq "$RUNS"); do
    reset_peak "$main_pid"
    logins+=("$(WRK_BODY=$work/login.body WRK_CONTENT_TYPE=application/x-www-form-urlencoded \
        wrk_rps -s benches/wrk/post-file.lua "$site/followup")")
    logins_mem+=("$(kib "$main_pid" VmHWM | mib)")
done
record login_rps "${logins[@]}"
record login_mib "${logins_mem[@]}"

head_seq=$(curl -fsS -H "Authorization: Bearer $token" "$officer/status?after=0" | sed 's/.*"head":\([0-9]*\).*/\1/')
after=$((head_seq - EXPORT_N))
[ "$after" -ge 0 ] || { echo "only $head_seq entries; raise DURATION to export $EXPORT_N reports" >&2; exit 1; }
exp_s=() exp_mbs=() exp_mem=()
for i in $(seq "$RUNS"); do
    reset_peak "$main_pid"
    read -r size secs < <(curl -fsS -o /dev/null -w '%{size_download} %{time_total}\n' \
        -H "Authorization: Bearer $token" "$officer/export?after=$after")
    exp_s+=("$secs")
    exp_mbs+=("$(awk -v b="$size" -v s="$secs" 'BEGIN {printf "%.0f", b / s / 1e6}')")
    exp_mem+=("$(kib "$main_pid" VmHWM | mib)")
done
export_bytes=$size
record export_s "${exp_s[@]}"
record export_mbs "${exp_mbs[@]}"
record export_mib "${exp_mem[@]}"
idle_after=$(kib "$main_pid" VmRSS | mib)
stored=$head_seq
pid=$main_pid
stop_candor
kill "$bare_pid" 2>/dev/null || true

# --- one large attachment, on a new store each run ---
head -c $((ATTACH_MIB * 1024 * 1024)) /dev/urandom >"$work/big.bin"
up=() up_mem=() bexp=() bexp_mbs=() dopen=() dopen_mem=()
for i in $(seq "$RUNS"); do
    mkdir -p "$work/big$i"
    start_candor "$work/big$i/data"
    reset_peak "$pid"
    read -r code secs < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' \
        -F kind=misconduct -F category=fraud -F "description=$desc" -F "attachment=@$work/big.bin" "$site/report")
    [ "$code" = 200 ] || { echo "the upload was refused ($code)" >&2; exit 1; }
    up+=("$(awk -v s="$secs" -v m="$ATTACH_MIB" 'BEGIN {printf "%.0f", m * 1048576 / s / 1e6}')")
    up_mem+=("$(kib "$pid" VmHWM | mib)")
    read -r size secs < <(curl -fsS -o "$work/big$i/export.bundle" -w '%{size_download} %{time_total}\n' \
        -H "Authorization: Bearer $token" "$officer/export?after=0")
    bexp+=("$secs")
    bexp_mbs+=("$(awk -v b="$size" -v s="$secs" 'BEGIN {printf "%.0f", b / s / 1e6}')")
    stop_candor
    rm -rf "$work/big$i/data"
    /usr/bin/time -v "$desk" open "$work/big$i/export.bundle" --keys "$work/office/secret" \
        --vault "$work/big$i/vault" >/dev/null 2>"$work/big$i/time"
    dopen+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (j = 1; j <= n; j++) s = s * 60 + t[j]; printf "%.2f", s}' "$work/big$i/time")")
    dopen_mem+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/big$i/time" | mib)")
    rm -rf "$work/big$i"
done
record upload_mbs "${up[@]}"
record upload_mib "${up_mem[@]}"
record big_export_s "${bexp[@]}"
record big_export_mbs "${bexp_mbs[@]}"
record desk_open_s "${dopen[@]}"
record desk_open_mib "${dopen_mem[@]}"

m() { echo "${R[$1]%% *}"; }
runs() { echo "${R[$1]#* }"; }
cat <<EOF

## candor benchmarks ($(date +%F), $(nproc) cores, load at the end $(cut -d' ' -f1-3 /proc/loadavg))

Medians of $RUNS runs (each run in parentheses); wrk -t2 -c$CONNS -d${DURATION}s on 127.0.0.1.

| measure | target | candor | ceiling / note | server peak RSS |
|---|---|---|---|---|
| form GET /report | ≥ 0.85 × bare | $(m form_rps) req/s $(runs form_rps) | bare axum $(m form_bare_rps) req/s $(runs form_bare_rps); ratio $(m form_ratio) $(runs form_ratio) | $(m form_mib) MiB (bare $bare_mem MiB) |
| durable submissions, $CONNS connections | ≥ 3,000/s | $(m submit_rps) reports/s $(runs submit_rps) | fsync p50 $fsync_p50 ms, p99 $fsync_p99 ms | $(m submit_mib) MiB |
| follow-up log-ins | — | $(m login_rps) log-ins/s $(runs login_rps) | | $(m login_mib) MiB |
| export of $EXPORT_N reports | — | $(m export_s) s, $(m export_mbs) MB/s $(runs export_s) | $export_bytes bytes, store of $stored entries | $(m export_mib) MiB |
| idle server, empty store | RSS < 20 MiB | $(m idle_mib) MiB $(runs idle_mib) | after the load above: $idle_after MiB | |
| cold start to first answer | < 100 ms | $(m cold_ms) ms $(runs cold_ms) | | |
| $ATTACH_MIB MiB attachment: upload | ≥ 300 MB/s | $(m upload_mbs) MB/s $(runs upload_mbs) | curl -F on the same machine | $(m upload_mib) MiB (target < 64) |
| $ATTACH_MIB MiB attachment: export | — | $(m big_export_s) s, $(m big_export_mbs) MB/s $(runs big_export_s) | | |
| $ATTACH_MIB MiB attachment: desk open | desk peak RSS < 96 MiB | $(m desk_open_s) s $(runs desk_open_s) | desk peak RSS $(m desk_open_mib) MiB $(runs desk_open_mib) | |
EOF
