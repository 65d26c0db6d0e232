#!/bin/sh
# The transfer machine's side of the officer API, through Tor.
#
#   candor-transfer.sh status          how much is new since the desk's last entry (counts only)
#   candor-transfer.sh check           the same, for a timer: notifies only if something is new,
#                                      and, once a day, of office keys that expire within 60 days,
#                                      have expired, or were revoked
#   candor-transfer.sh fetch [FILE]    download the export bundle that follows the desk's last entry
#   candor-transfer.sh post FILE       import an outbox bundle written by the desk
#   candor-transfer.sh seen N          record that the desk has verified up to entry N
#                                      (the desk prints it after `open`)
#
# Settings (environment, or /etc/candor-transfer.env):
#   CANDOR_OFFICER_URL  http://<officer onion address>.onion   (required)
#   CANDOR_TOKEN_FILE   the officer token, as `candor-desk token` prints it on the desk (default ~/.candor/officer-token)
#   CANDOR_STATE_DIR    where `seen` is kept (default ~/.candor)
#   CANDOR_SOCKS        Tor's SOCKS port (default 127.0.0.1:9050; "none" for a local test)
#   CANDOR_NOTIFY       command run by `check` with the message as its argument
#                       (default: logger -t candor-transfer)
set -eu
[ -r /etc/candor-transfer.env ] && . /etc/candor-transfer.env
url=${CANDOR_OFFICER_URL:?set CANDOR_OFFICER_URL to http://<officer onion address>.onion}
state=${CANDOR_STATE_DIR:-$HOME/.candor}
token_file=${CANDOR_TOKEN_FILE:-$state/officer-token}
socks=${CANDOR_SOCKS:-127.0.0.1:9050}
notify=${CANDOR_NOTIFY:-logger -t candor-transfer}
mkdir -p "$state"
seen=$(cat "$state/seen" 2>/dev/null || echo 0)

# The token goes to curl through a header file, never on its command line.
hdr=$(mktemp)
trap 'rm -f "$hdr"' EXIT
token=$(grep -v '^#' "$token_file" | tr -d ' \n')
printf 'Authorization: Bearer %s\n' "$token" > "$hdr"
curl_tor() {
    if [ "$socks" = none ]; then
        curl -fsS --max-time 600 -H @"$hdr" "$@"
    else
        curl -fsS --max-time 600 --socks5-hostname "$socks" -H @"$hdr" "$@"
    fi
}

cmd=${1:-status}
case $cmd in
status)
    curl_tor "$url/status?after=$seen"
    ;;
check)
    answer=$(curl_tor "$url/status?after=$seen")
    reports=$(printf '%s' "$answer" | sed -n 's/.*"new_reports":\([0-9]*\).*/\1/p')
    messages=$(printf '%s' "$answer" | sed -n 's/.*"new_messages":\([0-9]*\).*/\1/p')
    if [ "${reports:-0}" -gt 0 ] || [ "${messages:-0}" -gt 0 ]; then
        $notify "candor: $reports new report(s) and $messages new message(s) since entry $seen: time to fetch an export"
    fi
    # Office keys the server warns of: one line each in "office_key_warnings".
    keys=$(printf '%s' "$answer" | sed -n 's/.*"office_key_warnings":\[\(.*\)\].*/\1/p' \
        | sed -e 's/^"//' -e 's/"$//' -e 's/","/\
/g')
    today=$(date -u +%F)
    if [ -n "$keys" ] && [ "$(cat "$state/keys-warned" 2>/dev/null)" != "$today" ]; then
        printf '%s\n' "$keys" | while IFS= read -r line; do
            $notify "candor: office key $line. Make a new office key at the desk (candor-desk keygen) and put its public half in the server's keys/ before no valid key is left: then reports are refused"
        done
        printf '%s\n' "$today" > "$state/keys-warned"
    fi
    printf '%s\n' "$answer"
    ;;
fetch)
    out=${2:-candor-export-after-$seen.bundle}
    curl_tor -o "$out.partial" "$url/export?after=$seen"
    mv "$out.partial" "$out"
    echo "wrote $out (entries after $seen); carry it to the desk: candor-desk open $out"
    ;;
post)
    file=${2:?usage: $0 post OUTBOX-FILE}
    curl_tor --data-binary @"$file" "$url/import"
    ;;
seen)
    n=${2:?usage: $0 seen N}
    case $n in *[!0-9]*|'') echo "N must be a number" >&2; exit 2 ;; esac
    printf '%s\n' "$n" > "$state/seen"
    ;;
*)
    echo "unknown command: $cmd (status, check, fetch, post, seen)" >&2
    exit 2
    ;;
esac
