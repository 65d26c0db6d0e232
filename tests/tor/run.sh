#!/usr/bin/env bash
# candor over real Tor, on a private Tor network on 127.0.0.1.
#
#   tests/tor/run.sh            (after `cargo build --bin candor --bin candor-desk`)
#   tests/tor/run.sh --no-pow   everything but the flood (about a minute)
#
# The network (tests/tor/network.sh): three directory authorities made with
# tor-gencert, three relays, TestingTorNetwork. On it:
#   - the candor server's tor, whose torrc is deploy/torrc with only its paths
#     moved into this run's directory and the test network's lines appended:
#     the two onion services, Unix sockets, PoW, client authorisation and the
#     stream limits are the deployed file's;
#   - a reporter's tor (SOCKS), which files a report with an attachment as the
#     JavaScript-off form does, logs in with the receipt and sends a follow-up;
#   - the transfer machine's tor, torrc from deploy/transfer/torrc, whose
#     client-authorisation key comes from deploy/transfer/onion-client-keygen.sh,
#     driven by deploy/transfer/candor-transfer.sh: status, fetch the export,
#     post an outbox written by the real candor-desk;
#   - an attacker's tor that floods the reporters' service with introductions.
# It checks that the officer service is unreachable without the key, that
# HiddenServiceMaxStreams tears down a circuit that opens too many streams,
# that the proof-of-work effort rises under the flood (tor's MetricsPort) and
# that a client that solves the puzzle still gets through, and that candor's
# log and data directory hold nothing of the onion side (addresses, ports,
# keys). Everything started here is stopped on exit.
#
# The suggested effort is recomputed every 300 s (HS_UPDATE_PERIOD in tor's
# hs_pow.h, not configurable), so a run takes about six minutes.
#
# Exit status: 0 all checks passed, 1 a check failed, 77 tor is not installed.
set -euo pipefail
pow=1
[ "${1:-}" = --no-pow ] && pow=0
repo=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
candor=${CANDOR_BIN:-$target/debug/candor}
desk=${CANDOR_DESK_BIN:-$target/debug/candor-desk}

for tool in tor tor-gencert; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "tor test: SKIPPED, $tool is not installed (Debian package tor)"
        exit 77
    fi
done
for tool in curl python3 openssl ss; do
    command -v "$tool" >/dev/null 2>&1 || { echo "tor test: $tool is needed" >&2; exit 1; }
done
for bin in "$candor" "$desk"; do
    [ -x "$bin" ] || { echo "tor test: $bin not built (cargo build --bin candor --bin candor-desk)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/candor-tor.XXXXXX)
chmod 700 "$work"
# Fifty ports from a base no listener on this machine uses, below the
# kernel's ephemeral range (32768 and up), where other programs' connections
# and port-0 listeners could take one while the network starts.
port_base=""
listening=$(ss -Htln 2>/dev/null | awk '{n=split($4, a, ":"); print a[n]}')
for _ in $(seq 50); do
    b=$((10000 + (RANDOM % 220) * 100))
    if ! printf '%s\n' "$listening" | awk -v b="$b" '$1 >= b && $1 < b + 50 {found=1} END {exit !found}'; then
        port_base=$b
        break
    fi
done
[ -n "$port_base" ] || { echo "tor test: no free port range" >&2; exit 1; }

# shellcheck source=tests/tor/network.sh
. "$repo/tests/tor/network.sh"

candor_pid=""
flood_pid=""
failed=0
started=$(date +%s)
cleanup() {
    local status=$?
    set +e
    if [ -n "$flood_pid" ]; then kill "$flood_pid" 2>/dev/null; wait "$flood_pid" 2>/dev/null; fi
    if [ -n "$candor_pid" ]; then kill "$candor_pid" 2>/dev/null; wait "$candor_pid" 2>/dev/null; fi
    tor_stop_all
    if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
        echo "tor test: logs kept in $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

elapsed() { echo $(($(date +%s) - started)); }
say() { echo "[$(elapsed)s] $*"; }
ok() { say "ok: $*"; }
fail() {
    say "FAILED: $*" >&2
    failed=1
    exit 1
}

site_socks=$(port 40)
xfer_socks=$(port 41)
flood_socks=$(port 42)
metrics=$(port 43)

# ---- the office: keys from the real desk, candor on Unix sockets -------------
"$desk" keygen --no-passphrase --out "$work/office" >/dev/null
mkdir -p "$work/candor-data" "$work/run"
chmod 750 "$work/run"
"$candor" serve --listen "unix:$work/run/site.sock" --officer-listen "unix:$work/run/officer.sock" \
    --data "$work/candor-data" --keys "$work/office/public" >>"$work/candor.log" 2>&1 &
candor_pid=$!

# ---- the network ---------------------------------------------------------------
make_authorities
start_relays

# The server's tor: deploy/torrc, paths moved here, the test network appended.
mkdir -p "$work/hs"
chmod 700 "$work/hs"
{
    sed -e "s#/var/lib/tor/#$work/hs/#g" -e "s#/run/candor/#$work/run/#g" -e '/^Log notice syslog/d' \
        "$repo/deploy/torrc"
    common_torrc hs
    echo "MetricsPort 127.0.0.1:$metrics"
    echo "MetricsPortPolicy accept 127.0.0.1"
    echo "Log info file $work/hs/info.log"
} >"$work/hs/torrc"
tor --verify-config -f "$work/hs/torrc" >/dev/null || fail "tor refuses the torrc derived from deploy/torrc"
tor_node hs
hs_pid=${tor_pids[-1]}

# The reporter's tor: a plain client. ExtendedErrors: SOCKS says why an onion
# service could not be reached.
mkdir -p "$work/reporter"
{
    echo "SocksPort 127.0.0.1:$site_socks ExtendedErrors"
    echo "Log info file $work/reporter/info.log"
    common_torrc reporter
} >"$work/reporter/torrc"
tor_node reporter

# The attacker's tor: many introductions at once.
mkdir -p "$work/flood"
{
    echo "SocksPort 127.0.0.1:$flood_socks"
    echo "MaxClientCircuitsPending 1024"
    echo "Log info file $work/flood/info.log"
    common_torrc flood
} >"$work/flood/torrc"
tor_node flood

for _ in $(seq 60); do
    [ -s "$work/hs/candor-site/hostname" ] && [ -s "$work/hs/candor-officer/hostname" ] && break
    sleep 1
done
site=$(cat "$work/hs/candor-site/hostname")
officer=$(cat "$work/hs/candor-officer/hostname")
[ -S "$work/run/site.sock" ] && [ -S "$work/run/officer.sock" ] || fail "candor did not open its Unix sockets"

# Authorise the transfer machine as README "Deploying" step 6 does: its
# key pair from deploy/transfer/onion-client-keygen.sh, the public half on
# the server, then a reload.
"$repo/deploy/transfer/onion-client-keygen.sh" "$officer" >"$work/client-keys"
install -d -m 0700 "$work/hs/candor-officer/authorized_clients"
grep '^descriptor:x25519:' "$work/client-keys" >"$work/hs/candor-officer/authorized_clients/transfer.auth"
chmod 600 "$work/hs/candor-officer/authorized_clients/transfer.auth"
# (tor handles SIGHUP once it has started its main loop.)
for _ in $(seq 60); do grep -q 'Bootstrapped ' "$work/hs/notice.log" 2>/dev/null && break; sleep 1; done
kill -HUP "$hs_pid"

# The transfer machine's tor: deploy/transfer/torrc, its key where that file says.
mkdir -p "$work/xfer/onion_auth"
chmod 700 "$work/xfer" "$work/xfer/onion_auth"
grep "^${officer%.onion}:descriptor:x25519:" "$work/client-keys" >"$work/xfer/onion_auth/candor.auth_private"
chmod 600 "$work/xfer/onion_auth/candor.auth_private"
{
    sed -e "s#^SocksPort 127.0.0.1:9050#SocksPort 127.0.0.1:$xfer_socks#" \
        -e "s#/var/lib/tor/onion_auth#$work/xfer/onion_auth#" "$repo/deploy/transfer/torrc"
    common_torrc xfer
} >"$work/xfer/torrc"
tor_node xfer

for name in reporter xfer hs flood; do
    wait_bootstrapped "$name" 240 || fail "the private network did not bootstrap"
done
grep -q 'Received reload signal' "$work/hs/notice.log" || fail "the server's tor did not reload"
bootstrap=$(elapsed)
ok "private network bootstrapped in ${bootstrap}s (3 authorities, 3 relays, 4 clients/services)"

# ---- a reporter, over Tor ------------------------------------------------------
tor_curl() { curl -sS --max-time 120 --retry 5 --retry-all-errors --retry-delay 3 --socks5-hostname "127.0.0.1:$site_socks" "$@"; }

printf '%%PDF-1.4 evidence of the altered ledger\n' >"$work/ledger.pdf"
description="Over Tor: the warehouse ledger was altered before the audit."
t0=$(date +%s)
tor_curl -o "$work/answer.html" -F kind=misconduct -F category=fraud -F "description=$description" \
    -F when= -F where= -F people= -F contact= \
    -F "attachment=@$work/ledger.pdf;filename=ledger.pdf;type=application/pdf" "http://$site/report" \
    || fail "the report did not reach candor through the onion service"
first_load=$(($(date +%s) - t0))
receipt=$(sed -n 's/.*id="receipt"[^>]*>\([^<]*\)<.*/\1/p' "$work/answer.html" | head -n 1)
[ -n "$receipt" ] || fail "no receipt on the answer page"
ok "report with an attachment filed through the onion service (${first_load}s including the first connection); receipt shown"

tor_curl -o "$work/thread.html" --data-urlencode "receipt=$receipt" "http://$site/followup" || fail "log-in"
grep -q 'data-status="received"' "$work/thread.html" || fail "the thread page does not show the status"
session=$(sed -n 's/.*name="session" value="\([^"]*\)".*/\1/p' "$work/thread.html" | head -n 1)
printf 'second piece of evidence\n' >"$work/mail.eml"
followup="Over Tor: he also asked me to delete the approval e-mails."
tor_curl -o "$work/sent.html" -F "session=$session" -F "message=$followup" \
    -F "attachment=@$work/mail.eml;filename=mail.eml" "http://$site/followup/message" || fail "follow-up"
grep -q 'Your message was sent' "$work/sent.html" || fail "the follow-up was not accepted"
ok "logged in with the receipt and sent a follow-up with an attachment"

# ---- the officer service: unreachable without the key ----------------------------
set +e
curl -sS --max-time 120 --socks5-hostname "127.0.0.1:$site_socks" "http://$officer/status?after=0" >"$work/nokey.out" 2>&1
nokey=$?
set -e
[ "$nokey" -ne 0 ] || fail "the officer service answered a client without the key"
# 0xF4 (244): "onion service missing client authorisation" (tor's ExtendedErrors).
grep -q '(244)' "$work/nokey.out" \
    || { cat "$work/nokey.out" >&2; fail "the officer service failed for another reason than the missing key"; }
ok "without the client key the officer service is unreachable (SOCKS error F4: client authorisation missing)"

# ---- the transfer machine: deploy/transfer/candor-transfer.sh ------------------
export CANDOR_OFFICER_URL="http://$officer" CANDOR_SOCKS="127.0.0.1:$xfer_socks"
# The officer token as the transfer machine holds it: printed by the desk.
(umask 077 && "$desk" token --keys "$work/office/secret" >"$work/xfer-token") || fail "candor-desk token"
export CANDOR_TOKEN_FILE="$work/xfer-token" CANDOR_STATE_DIR="$work/xfer-state"
export CANDOR_NOTIFY="echo"
xfer() { "$repo/deploy/transfer/candor-transfer.sh" "$@"; }
counts=$(xfer check) || fail "candor-transfer.sh check over the officer onion service"
echo "$counts" | grep -q '"new_reports":1' || fail "check did not count the new report: $counts"
(cd "$work" && xfer fetch "$work/export.bundle" >/dev/null) || fail "candor-transfer.sh fetch"
vault="$work/vault"
opened=$("$desk" open "$work/export.bundle" --keys "$work/office/secret" --vault "$vault") || fail "the desk refused the export"
case_id=$("$desk" cases --vault "$vault" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
"$desk" show "$case_id" --vault "$vault" --json >"$work/case.json"
grep -q "warehouse ledger" "$work/case.json" || fail "the desk does not show the report"
"$desk" show "$case_id" --vault "$vault" --extract "$work/extract" >/dev/null
grep -rqs 'evidence of the altered ledger' "$work/extract" || fail "the attachment did not arrive byte for byte"
grep -rqs 'second piece of evidence' "$work/extract" || fail "the follow-up's attachment did not arrive"
reply="Over Tor: thank you, we have opened a preliminary review."
"$desk" reply "$case_id" --vault "$vault" --message "$reply" >/dev/null
"$desk" status "$case_id" --vault "$vault" --set preliminary-review >/dev/null
"$desk" outbox --vault "$vault" --keys "$work/office/secret" --out "$work/outbox.bundle" >/dev/null
xfer post "$work/outbox.bundle" >/dev/null || fail "candor-transfer.sh post"
last=$(printf '%s\n' "$opened" | grep -oE '[0-9]+' | tail -n 1)
xfer seen "$last"
ok "transfer script with its client key: check, fetch, desk open, outbox posted (entry $last seen)"

tor_curl -o "$work/thread2.html" --data-urlencode "receipt=$receipt" "http://$site/followup" || fail "second log-in"
grep -q 'data-status="preliminary-review"' "$work/thread2.html" || fail "the reporter does not see the new status"
grep -q "thank you, we have opened a preliminary review" "$work/thread2.html" || fail "the reporter does not see the reply"
ok "the reporter reads the office's reply and status over Tor"

# ---- HiddenServiceMaxStreams ----------------------------------------------------
max_streams=$(sed -n '/candor-site/,/candor-officer/s/^HiddenServiceMaxStreams \([0-9]*\)/\1/p' "$repo/deploy/torrc")
[ -n "$max_streams" ] || fail "deploy/torrc sets no HiddenServiceMaxStreams for the reporters' service"
within=$(python3 "$repo/tests/tor/socks.py" streams "$site_socks" "$site" "$max_streams")
case $within in *"answered=$max_streams "*"first_alive=1"*) ;; *) fail "$max_streams streams on one circuit: $within" ;; esac
over=$(python3 "$repo/tests/tor/socks.py" streams "$site_socks" "$site" $((max_streams + 1)))
case $over in *"first_alive=0"*) ;; *) fail "$((max_streams + 1)) streams on one circuit did not tear it down: $over" ;; esac
tor_curl -o /dev/null "http://$site/" || fail "the site is not reachable on a new circuit after the teardown"
ok "HiddenServiceMaxStreams $max_streams: $max_streams streams on one circuit served ($within); one more closes the circuit ($over); a new circuit is served"

# ---- proof of work under an introduction flood --------------------------------
effort="(not run)"
solved_effort="-"
solve_s="-"
pow_ms="-"
if [ "$pow" = 1 ]; then
    metric() {
        curl -s --max-time 10 "http://127.0.0.1:$metrics/metrics" \
            | sed -n "s/^tor_hs_$1{onion=\"${site%.onion}\"} \([0-9.e+]*\)$/\1/p" | head -n 1
    }
    # The service's PoW state starts once its tor has a consensus; the first
    # recomputation of the effort is 300 s later (HS_UPDATE_PERIOD).
    pow_line=$(grep -m 1 'initialize_pow_defenses' "$work/hs/info.log") || fail "the service did not start its PoW defences"
    pow_started=$(date -d "$(printf '%s\n' "$pow_line" | cut -d' ' -f1-3 | cut -d. -f1)" +%s)
    flood_seconds=$((pow_started + 330 - $(date +%s)))
    say "flooding the reporters' service with introductions for ${flood_seconds}s (its PoW started $((pow_started - started))s into the run; the effort is recomputed 300s later)"
    python3 "$repo/tests/tor/socks.py" flood "$flood_socks" "$site" "$flood_seconds" 64 >"$work/flood.out" &
    flood_pid=$!
    effort=""
    queue_max=0
    polls=0
    while kill -0 "$flood_pid" 2>/dev/null; do
        # The attacker's tor gives up on introduction points whose
        # introductions time out, and would stop flooding them; the attacker
        # resets that (and refetches the descriptor) every ten seconds.
        polls=$((polls + 1))
        [ $((polls % 5)) = 0 ] && tor_control flood "SIGNAL NEWNYM" >/dev/null 2>&1
        q=$(metric rdv_pow_pqueue_count)
        q=${q%.*}
        [ "${q:-0}" -gt "$queue_max" ] && queue_max=$q
        e=$(metric pow_suggested_effort)
        e=${e%.*}
        if [ "${e:-0}" -gt 0 ]; then
            effort=$e
            break
        fi
        sleep 2
    done
    [ -n "$effort" ] || fail "the suggested effort did not rise under the flood (queue peaked at $queue_max)"
    ok "under the flood the suggested effort rose from 0 to $effort (priority queue peaked at $queue_max requests)"

    # A reporter now: a fresh descriptor (NEWNYM forgets the cached one), so the
    # client sees the suggested effort, solves it, and is served during the flood.
    tor_control reporter "SIGNAL NEWNYM" >/dev/null
    sleep 2
    t0=$(date +%s%N)
    curl -sS --max-time 120 --socks5-hostname "127.0.0.1:$site_socks" -U "pow-reporter:x" -o "$work/pow-page.html" "http://$site/report" \
        || fail "a client that solves the puzzle did not get through the flood"
    pow_ms=$((($(date +%s%N) - t0) / 1000000))
    grep -q 'name="description"' "$work/pow-page.html" || fail "the report form did not come through the flood"
    solved=$(grep 'Proof of work solution (effort' "$work/reporter/info.log" | tail -n 1)
    [ -n "$solved" ] || fail "the client was served without solving a puzzle"
    solved_effort=$(printf '%s\n' "$solved" | sed -n 's/.*(effort \([0-9]*\)).*/\1/p')
    solve_s=$(printf '%s\n' "$solved" | sed -n 's/.* in \([0-9.]*\) seconds.*/\1/p')
    [ "${solved_effort:-0}" -gt 0 ] || fail "the client solved at effort 0: $solved"
    ok "a client that solved the puzzle (effort $solved_effort, ${solve_s}s to solve) loaded the report form in ${pow_ms} ms during the flood"
    kill "$flood_pid" 2>/dev/null || true
    wait "$flood_pid" 2>/dev/null || true
    flood_pid=""
    waited=$(grep -o 'Dequeued pending rendezvous request with effort: [0-9]*. Waited [0-9]*' "$work/hs/info.log" \
        | awk '{e=$7+0; w=$9+0; if (e>0) {n1++; s1+=w} else {n0++; s0+=w; if (w>m0) m0=w}}
               END {printf "effort 0: %d requests, mean wait %.1fs, max %ds; effort>0: %d requests, mean wait %.1fs", n0, n0?s0/n0:0, m0, n1, n1?s1/n1:0}')
    say "flood: $(cat "$work/flood.out" 2>/dev/null); queue: $waited"
    # What solving costs: every solution tor found in this run, by effort.
    solves=$(cat "$work/flood/info.log" "$work/reporter/info.log" \
        | sed -n 's/.*Proof of work solution (effort \([0-9]*\)) found using \([a-z]*\) implementation in \([0-9.]*\) seconds.*/\1 \2 \3/p' \
        | awk '{n++; e+=$1; t+=$3; impl=$2} END {if (n) printf "%d solutions (%s), mean effort %.0f, mean %.3fs, %.2f ms per unit of effort", n, impl, e/n, t/n, 1000*t/e}')
    say "puzzles solved: ${solves:-none}"
fi

# ---- what candor kept ---------------------------------------------------------
kill "$candor_pid" 2>/dev/null || true
wait "$candor_pid" 2>/dev/null || true
candor_pid=""
needles=("${site%.onion}" "${officer%.onion}" "127.0.0.1" "$site_socks" "$xfer_socks" "$flood_socks" "pow-reporter" "flood-" "streams-")
while read -r line; do
    needles+=("${line##*:}")
done < <(grep -E '^(descriptor:x25519:|[a-z2-7]{56}:descriptor:x25519:)' "$work/client-keys")
for needle in "${needles[@]}"; do
    if grep -rqaiF -- "$needle" "$work/candor.log" "$work/candor-data"; then
        fail "candor kept an onion-side detail ($needle) in its log or data directory"
    fi
done
grep -qi 'circuit' "$work/candor.log" && fail "candor's log mentions circuits"
ok "candor's log and data directory hold no onion address, client key, port, address or SOCKS isolation name (${#needles[@]} strings checked)"

total=$(elapsed)
if [ "$pow" = 1 ]; then
    pow_summary="PoW effort 0 -> $effort under flood, solving client (effort $solved_effort, ${solve_s}s) served in ${pow_ms} ms"
else
    pow_summary="PoW not run (--no-pow)"
fi
echo "tor test: PASSED in ${total}s: bootstrap ${bootstrap}s; report, follow-up, transfer fetch/post over onion services; no key, no officer service; MaxStreams $max_streams enforced; $pow_summary"
