# A private Tor network on 127.0.0.1, sourced by tests/tor/run.sh.
#
# Three directory authorities (keys from tor-gencert) that are relays too,
# three more relays, and whatever clients and onion services the caller adds
# with tor_node. The options follow chutney's torrc templates (common.i,
# authority.i, relay-non-exit.tmpl): TestingTorNetwork, a 20-second voting
# interval, every relay voted Guard and HSDir, and reachability assumed, so
# the first consensus comes in well under a minute.
#
# The caller sets $work (a fresh directory) and $port_base, and traps EXIT to
# tor_stop_all. Every tor also watches this shell's process
# (__OwningControllerProcess) and exits by itself if the script dies.

tor_pids=()
tor_nodes=()
dir_authorities=""

# A port that belongs to this run: $port_base + N.
port() { echo $((port_base + $1)); }

# The lines every node of the network shares.
common_torrc() {
    local name=$1
    cat <<EOF
## --- test network (tests/tor/network.sh) ---
TestingTorNetwork 1
PathsNeededToBuildCircuits 0.67
TestingDirAuthVoteGuard *
TestingDirAuthVoteHSDir *
TestingDirAuthVoteExit *
TestingMinExitFlagThreshold 0
V3AuthNIntervalsValid 2
DataDirectory $work/$name
PidFile $work/$name/pid
ControlSocket $work/$name/control
CookieAuthentication 1
Log notice file $work/$name/notice.log
ShutdownWaitLength 0
__OwningControllerProcess $$
$dir_authorities
EOF
}

# Relay lines (chutney's relay-non-exit.tmpl) for node number N.
relay_torrc() {
    local n=$1
    cat <<EOF
Nickname test$n
Address 127.0.0.1
ORPort 127.0.0.1:$(port "$n")
DirPort 127.0.0.1:$(port $((n + 20)))
SocksPort 0
ExitRelay 0
AssumeReachable 1
ContactInfo test$n@example.invalid
EOF
}

authority_torrc() {
    cat <<EOF
AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
TestingV3AuthInitialVotingInterval 20
TestingV3AuthInitialVoteDelay 4
TestingV3AuthInitialDistDelay 4
V3AuthVotingInterval 20
V3AuthVoteDelay 4
V3AuthDistDelay 4
EOF
}

# Makes the authorities' keys and the DirAuthority lines every node needs.
make_authorities() {
    local n dir fpr v3
    for n in 1 2 3; do
        dir="$work/auth$n"
        mkdir -p "$dir/keys"
        chmod 700 "$dir"
        echo "" | tor-gencert --create-identity-key --passphrase-fd 0 -m 12 \
            -i "$dir/keys/authority_identity_key" -s "$dir/keys/authority_signing_key" \
            -c "$dir/keys/authority_certificate" -a "127.0.0.1:$(port $((n + 20)))" >/dev/null 2>&1
        relay_torrc "$n" >"$dir/torrc"
        fpr=$(tor --quiet --ignore-missing-torrc -f "$dir/torrc" --DataDirectory "$dir" --list-fingerprint \
            | tail -n 1 | cut -d' ' -f2- | tr -d ' ')
        v3=$(sed -n 's/^fingerprint //p' "$dir/keys/authority_certificate")
        dir_authorities="${dir_authorities}DirAuthority test$n orport=$(port "$n") no-v2 v3ident=$v3 127.0.0.1:$(port $((n + 20))) $fpr
"
    done
    for n in 1 2 3; do
        { relay_torrc "$n"; authority_torrc; common_torrc "auth$n"; } >"$work/auth$n/torrc"
    done
    for n in 4 5 6; do
        mkdir -p "$work/relay$n"
        chmod 700 "$work/relay$n"
        { relay_torrc "$n"; common_torrc "relay$n"; } >"$work/relay$n/torrc"
    done
}

# tor_node NAME: starts tor with $work/NAME/torrc (the caller wrote it,
# usually ending with common_torrc NAME).
tor_node() {
    local name=$1
    mkdir -p "$work/$name"
    chmod 700 "$work/$name"
    tor -f "$work/$name/torrc" >"$work/$name/stdout.log" 2>&1 &
    tor_pids+=("$!")
    tor_nodes+=("$name")
}

start_relays() {
    local name
    for name in auth1 auth2 auth3 relay4 relay5 relay6; do
        tor_node "$name"
    done
}

# Sends a control command to node NAME through its control socket and
# prints the answer (cookie authentication).
tor_control() {
    local name=$1
    shift
    python3 - "$work/$name/control" "$work/$name/control_auth_cookie" "$@" <<'PY'
import socket, sys
path, cookie, commands = sys.argv[1], sys.argv[2], sys.argv[3:]
s = socket.socket(socket.AF_UNIX)
s.connect(path)
f = s.makefile("rwb")
f.write(b"AUTHENTICATE " + open(cookie, "rb").read().hex().encode() + b"\r\n")
for c in commands:
    f.write(c.encode() + b"\r\n")
f.write(b"QUIT\r\n")
f.flush()
sys.stdout.write(f.read().decode(errors="replace"))
PY
}

# Waits until node NAME has bootstrapped (100%); fails after SECONDS.
wait_bootstrapped() {
    local name=$1 seconds=$2 i n
    for i in $(seq "$seconds"); do
        if grep -q "Bootstrapped 100%" "$work/$name/notice.log" 2>/dev/null; then
            return 0
        fi
        for n in "${!tor_nodes[@]}"; do
            if ! kill -0 "${tor_pids[$n]}" 2>/dev/null; then
                echo "tor node ${tor_nodes[$n]} has exited:" >&2
                tail -n 20 "$work/${tor_nodes[$n]}/stdout.log" >&2
                return 1
            fi
        done
        sleep 1
    done
    echo "tor node $name did not bootstrap in ${seconds}s; its log:" >&2
    tail -n 30 "$work/$name/notice.log" >&2 || true
    return 1
}

# Stops every tor this script started, by process id, and waits for them.
# A tor can hang in its exit after SIGTERM (seen with 0.4.9.11, blocked on a
# lock with the log saying "exiting cleanly"): what is left after ten
# seconds gets SIGKILL.
tor_stop_all() {
    local pid i alive
    for pid in "${tor_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for i in $(seq 20); do
        alive=0
        for pid in "${tor_pids[@]}"; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        [ "$alive" = 0 ] && break
        sleep 0.5
    done
    for pid in "${tor_pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    tor_pids=()
}
