#!/bin/sh
# Makes an x25519 key pair for onion-service client authorisation and prints
# both halves in the form Tor expects. Run on the transfer machine; needs openssl.
#   deploy/transfer/onion-client-keygen.sh OFFICER-ONION-ADDRESS
set -eu
onion=${1:?usage: $0 OFFICER-ONION-ADDRESS (56 characters, with or without .onion)}
onion=${onion%.onion}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
umask 077
openssl genpkey -algorithm x25519 -out "$tmp/key.pem"
priv=$(openssl pkey -in "$tmp/key.pem" -outform DER | tail -c 32 | base32 | tr -d '=\n')
pub=$(openssl pkey -in "$tmp/key.pem" -pubout -outform DER | tail -c 32 | base32 | tr -d '=\n')
echo "# On the SERVER, as /var/lib/tor/candor-officer/authorized_clients/transfer.auth:"
echo "descriptor:x25519:$pub"
echo "# On this TRANSFER machine, as /var/lib/tor/onion_auth/candor.auth_private:"
echo "$onion:descriptor:x25519:$priv"
